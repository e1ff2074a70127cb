import {readFile} from 'node:fs/promises';
import {createSecureContext, type ConnectionOptions} from 'node:tls';
// Types only: kafkajs itself is imported on first use, to keep start-up fast.
import type {Kafka, KafkaConfig, RetryOptions} from 'kafkajs';
import {ConfigError} from '../errors.js';
import {installKafkajsPatches} from './kafkajsPatches.js';
import type {KafkaSettings} from '../config/settings.js';

/** What KafkaBus and KafkaRequestStream share: one way to build a kafkajs client from the settings. */

export type KafkaJs = typeof import('kafkajs');
export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

const LEVELS: KafkaLogLevel[] = ['error', 'warn', 'info', 'debug'];
// kafkajs' numeric levels, in the order of LEVELS.
const KAFKAJS_LEVELS = [1, 2, 4, 5];

export interface KafkaClientOptions {
  /** Appended to the configured client.id, e.g. `-serve`. */
  clientIdSuffix?: string;
  connectionTimeout: number;
  requestTimeout?: number;
  retry: RetryOptions;
  /** Receives kafkajs' own log lines (passwords removed). Without it, kafkajs stays silent. */
  onLog?: (level: KafkaLogLevel, line: string) => void;
  /** Least severe level passed to onLog; default 'warn'. */
  logLevel?: KafkaLogLevel;
}

/** Removes the SASL password and the key password from a text before it goes anywhere. */
export function redactPassword(settings: KafkaSettings, text: string): string {
  let out = text;
  for (const secret of [settings.sasl?.password, settings.keyPassword]) {
    if (secret) out = out.split(secret).join('***');
  }
  return out;
}

function saslOptions(sasl: NonNullable<KafkaSettings['sasl']>): KafkaConfig['sasl'] {
  const {username, password} = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return {mechanism: 'plain', username, password};
    case 'scram-sha-256':
      return {mechanism: 'scram-sha-256', username, password};
    case 'scram-sha-512':
      return {mechanism: 'scram-sha-512', username, password};
  }
}

async function readPem(file: string, key: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `${key} ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? error}): fix the path`,
    );
  }
}

/**
 * kafkajs' `ssl` (Node's tls.connect options) from the librdkafka-style settings. The files are
 * read and the key opened here, so that a bad file or key password is a configuration error
 * naming its key rather than a failed handshake later.
 */
async function tlsOptions(settings: KafkaSettings): Promise<ConnectionOptions> {
  const {caFile, certFile, keyFile, keyPassword} = settings;
  // Without a CA file Node trusts its built-in CAs (Confluent Cloud and other public brokers).
  const options: ConnectionOptions = {};
  if (caFile) {
    const ca = await readPem(caFile, 'ssl.ca.location');
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ConfigError(`ssl.ca.location ${caFile} holds no PEM certificate: fix the path`);
    }
    options.ca = [ca];
  }
  if (certFile && keyFile) {
    options.cert = await readPem(certFile, 'ssl.certificate.location');
    options.key = await readPem(keyFile, 'ssl.key.location');
    if (keyPassword) options.passphrase = keyPassword;
    try {
      createSecureContext({cert: options.cert, key: options.key, passphrase: keyPassword});
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(
        code === 'ERR_OSSL_BAD_DECRYPT'
          ? keyPassword
            ? `ssl.key.password does not decrypt ssl.key.location ${keyFile}: fix the password`
            : `ssl.key.location ${keyFile} is encrypted: set ssl.key.password`
          : code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'
            ? `ssl.key.location ${keyFile} is not the key of ssl.certificate.location ${certFile}: fix one of them`
            : `ssl.certificate.location ${certFile} and ssl.key.location ${keyFile} must be a PEM certificate and its PEM key (${code ?? 'unreadable'})`,
      );
    }
  }
  // `ssl.endpoint.identification.algorithm: none`: any host name will do; the chain still counts.
  if (settings.checkHostname === false) options.checkServerIdentity = () => undefined;
  return options;
}

export async function createKafkaClient(
  settings: KafkaSettings,
  options: KafkaClientOptions,
): Promise<{lib: KafkaJs; kafka: Kafka}> {
  installKafkajsPatches();
  const lib = (await import('kafkajs')).default;
  const {brokers, clientId, sasl} = settings;
  const tls: KafkaConfig['ssl'] = settings.ssl ? await tlsOptions(settings) : false;
  const {onLog} = options;
  const threshold = LEVELS.indexOf(options.logLevel ?? 'warn');
  const kafka = new lib.Kafka({
    brokers,
    clientId: `${clientId}${options.clientIdSuffix ?? ''}`,
    ssl: tls,
    sasl: sasl ? saslOptions(sasl) : undefined,
    connectionTimeout: options.connectionTimeout,
    ...(options.requestTimeout ? {requestTimeout: options.requestTimeout} : {}),
    retry: options.retry,
    logLevel: onLog ? KAFKAJS_LEVELS[threshold] : lib.logLevel.NOTHING,
    // Only the message and a few safe fields leave kafkajs, and never the password.
    logCreator: () => (entry) => {
      const level = LEVELS[KAFKAJS_LEVELS.indexOf(entry.level)];
      if (!onLog || !level) return;
      const {message, broker, error} = entry.log as {
        message: string;
        broker?: string;
        error?: string;
      };
      const where = broker ? ` [${broker}]` : '';
      const why = error ? `: ${error}` : '';
      onLog(level, redactPassword(settings, `${entry.namespace}${where} ${message}${why}`));
    },
  });
  return {lib, kafka};
}
