import {ConnectionError, TopicError, UserFacingError} from '../errors.js';
import type {KafkaSettings} from '../config/settings.js';
import {redactPassword} from './kafkaClient.js';

/*
 * What kafkajs' errors mean: the one classifier of those an operator can fix
 * (explainKafkaFailure), and the helpers that look inside kafkajs' nested causes.
 */

/** The error and what caused it, outermost first (kafkajs nests them in `cause`). */
export function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  let current: unknown = error;
  while (current instanceof Error && !chain.includes(current) && chain.length < 10) {
    chain.push(current);
    current = current.cause;
  }
  return chain;
}

/** Whether `error` or one of its causes is a broker error of this `type`, e.g. CONCURRENT_TRANSACTIONS. */
export function hasErrorType(error: unknown, type: string): boolean {
  return causes(error).some((c) => (c as {type?: unknown}).type === type);
}

/** One line: the outermost message and, if different, the root cause. */
export function describeError(error: unknown): string {
  const chain = causes(error);
  if (chain.length === 0) return String(error);
  const outer = chain[0]!;
  const root = chain.at(-1)!;
  return root === outer || root.message === outer.message
    ? `${outer.name}: ${outer.message}`
    : `${outer.name}: ${outer.message} (${root.message})`;
}

const UNTRUSTED =
  /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE)$/;
// What Node reports when the broker's TLS alert refuses our (missing) client certificate.
const CLIENT_CERT_REFUSED =
  /^ERR_SSL_(SSLV3_ALERT_BAD_CERTIFICATE|TLSV13_ALERT_CERTIFICATE_REQUIRED|TLSV1_ALERT_UNKNOWN_CA|SSLV3_ALERT_CERTIFICATE_(UNKNOWN|EXPIRED|REVOKED|UNSUPPORTED)|TLSV1_ALERT_ACCESS_DENIED)$/;

/** One line from kafkajs' or OpenSSL's text: no "Connection error:" prefix, no source paths. */
function reason(message: string): string {
  const openssl = /SSL routines:[^:]*:([^:]+):/.exec(message);
  return (openssl ? openssl[1]! : message)
    .replace(/^Connection error: /, '')
    .replace(/\s+/g, ' ')
    .replace(/[:\s]+$/, '')
    .trim();
}

/**
 * The one classifier of Kafka errors that an operator can fix: one line naming the setting or the
 * topic and the fix, for failures to reach, secure or log into the brokers, a topic the broker
 * refuses to create, or `topic` (what the failed request was about; `label` names its role) not
 * existing. Undefined for any other error. KafkaBus and KafkaRequestStream both report through it.
 */
export function explainKafkaFailure(
  settings: KafkaSettings,
  error: unknown,
  topic?: string,
  label?: string,
): UserFacingError | undefined {
  if (error instanceof UserFacingError) return error;
  const chain = causes(error);
  const at = `Kafka at ${settings.brokers.join(', ')}`;
  const detail = reason(redactPassword(settings, chain.at(-1)?.message ?? String(error)));
  const has = (test: (cause: Error & {code?: unknown; type?: unknown}) => boolean) =>
    chain.some(test);
  const code = (pattern: RegExp) => has((cause) => pattern.test(String(cause.code ?? '')));

  if (
    has(
      (cause) =>
        cause.name === 'KafkaJSSASLAuthenticationError' ||
        /^(SASL_AUTHENTICATION_FAILED|UNSUPPORTED_SASL_MECHANISM|ILLEGAL_SASL_STATE)$/.test(
          String(cause.type),
        ),
    )
  ) {
    const {sasl} = settings;
    const who = sasl
      ? `SASL ${sasl.mechanism.toUpperCase()} as user "${sasl.username}"`
      : 'no SASL credentials configured';
    return new ConnectionError(
      `Kafka authentication failed at ${settings.brokers.join(', ')} (${who}): ${detail}; ` +
        'check sasl.password, sasl.username and sasl.mechanism',
    );
  }
  if (settings.ssl) {
    if (code(UNTRUSTED)) {
      const now = settings.caFile ? `now ${settings.caFile}` : 'now the system CAs';
      return new ConnectionError(
        `${at} presents a certificate that no trusted CA signed (${detail}); set ` +
          `ssl.ca.location to the PEM file of the CA that signed it (${now})`,
      );
    }
    if (code(/^ERR_TLS_CERT_ALTNAME_INVALID$/)) {
      return new ConnectionError(
        `${at} presents a certificate for another host (${detail.replace(/^Hostname\/IP does not match certificate's altnames: /, '')}); ` +
          'write the host as the certificate names it in bootstrap.servers, or set ' +
          'ssl.endpoint.identification.algorithm: none to skip the host name check',
      );
    }
    if (code(CLIENT_CERT_REFUSED)) {
      return new ConnectionError(
        settings.certFile
          ? `${at} refused the client certificate ${settings.certFile} (${detail}); set ` +
              'ssl.certificate.location and ssl.key.location to a certificate the broker trusts'
          : `${at} requires a client certificate (${detail}); set ssl.certificate.location ` +
              'and ssl.key.location',
      );
    }
    if (
      code(/^(ERR_SSL_|ERR_TLS_|EPROTO$|CERT_)/) ||
      has((cause) => /\b(SSL|TLS|certificate)\b/i.test(cause.message))
    ) {
      return new ConnectionError(
        `TLS handshake with ${at} failed (${detail}); check that the listener uses TLS ` +
          '(security.protocol) and ssl.ca.location',
      );
    }
  }
  if (
    has(
      (cause) =>
        /^KafkaJS(Connection|ConnectionClosed|RequestTimeout|NoBrokerAvailable)Error$/.test(
          cause.name,
        ) ||
        cause.name === 'KafkaJSBrokerNotFound' ||
        // What kafkajs throws, as a plain Error, when retrying after a request timed out.
        cause.message === 'Broker not connected',
    )
  ) {
    const why = /^(Closed connection|Connection closed)/i.test(detail)
      ? 'the broker closed the connection: does the listener expect TLS or SASL?'
      : /^(Broker not connected|Request .* timed out)/.test(detail)
        ? 'no answer in time'
        : detail;
    return new ConnectionError(
      `cannot reach Kafka at ${settings.brokers.join(', ')} (${why}); check bootstrap.servers ` +
        'and that the broker is running',
    );
  }
  const refused = creationRefusal(settings, chain);
  if (refused) return refused;
  if (topic && has((cause) => cause.type === 'UNKNOWN_TOPIC_OR_PARTITION')) {
    return missingTopicError(settings, topic, label);
  }
  return undefined;
}

/**
 * The wording for a topic that does not exist, wherever that is found out. A `label` (its role,
 * e.g. 'requests topic') means it is one of kafka_config.yaml's, which doctor can create.
 */
export function missingTopicError(settings: KafkaSettings, topic: string, label?: string) {
  const fix = label
    ? 'create it with `wine-tui doctor --create-topics` or on the broker'
    : 'create it on the broker (`wine-tui doctor --create-topics` creates those of kafka_config.yaml)';
  return new TopicError(
    `${label ?? 'topic'} ${topic} does not exist on ${settings.brokers.join(', ')}; ${fix}`,
  );
}

/**
 * CreateTopics answers each topic on its own: kafkajs puts the refusals (KafkaJSCreateTopicError,
 * with `topic` and the error code's `type`) in a KafkaJSAggregateError. TOPIC_ALREADY_EXISTS is
 * not a refusal (another client was quicker).
 */
function creationRefusal(settings: KafkaSettings, chain: Error[]): TopicError | undefined {
  type Refusal = Error & {topic?: unknown; type?: unknown};
  const refusals = chain
    .flatMap((cause) => (cause as {errors?: unknown}).errors)
    .filter(
      (e): e is Refusal =>
        e instanceof Error &&
        typeof (e as Refusal).topic === 'string' &&
        (e as Refusal).type !== 'TOPIC_ALREADY_EXISTS',
    );
  if (refusals.length === 0) return undefined;
  const topics = [...new Set(refusals.map((e) => String(e.topic)))];
  const [them, s] = topics.length > 1 ? ['them', 's'] : ['it', ''];
  const types = new Set(refusals.map((e) => String(e.type)));
  const reasons = [...new Set(refusals.map((e) => `${String(e.type)}: ${e.message}`))].join('; ');
  const user = settings.sasl ? `user "${settings.sasl.username}"` : 'this client';
  const fix = [...types].some((t) => /AUTHORIZATION_FAILED$/.test(t))
    ? `${user} may not create topics: have an administrator create ${them} on the broker, or grant CREATE`
    : types.has('INVALID_TOPIC_EXCEPTION')
      ? // Also what a new name gets when it collides with a topic differing only in '.' and '_'.
        `the name${s} ${topics.length > 1 ? 'are' : 'is'} invalid or collide${s ? '' : 's'} with ` +
        "an existing topic that differs only in '.' and '_': name another under topics: in " +
        'kafka_config.yaml'
      : `create ${them} on the broker with settings it accepts`;
  return new TopicError(
    `Kafka at ${settings.brokers.join(', ')} refused to create topic${s} ${topics.join(', ')} ` +
      `(${reasons}); ${fix}`,
  );
}
