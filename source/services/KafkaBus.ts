import {randomUUID} from 'node:crypto';
// Types only: kafkajs itself is imported on first use, to keep start-up fast.
import type {Admin, Consumer, IHeaders, Kafka, Producer} from 'kafkajs';
import {ConnectionError, UserFacingError} from './errors.js';
import type {
  BusMessage,
  MessageBus,
  MessageHandler,
  OutgoingMessage,
  PublishResult,
  TailOptions,
  TailSubscription,
  TopicInfo,
} from './MessageBus.js';
import {
  causes,
  createKafkaClient,
  redactPassword,
  type KafkaJs,
  type KafkaLogLevel,
} from './kafkaClient.js';
import {checkTopicName, encodeValue} from './messageInput.js';
import type {KafkaSettings} from './settings.js';

export interface KafkaBusOptions {
  /** Receives kafkajs' own log lines (passwords removed). Without it, kafkajs stays silent. */
  onLog?: (level: KafkaLogLevel, line: string) => void;
  /** Least severe level passed to onLog; default 'warn'. */
  logLevel?: KafkaLogLevel;
  /** Problems that do not stop the bus: a handler that throws, a tail that stopped for good. */
  onWarning?: (message: string) => void;
}

/*
 * Short timeouts and few retries: an unreachable broker should be reported in about ten seconds,
 * not after kafkajs' default of minutes. (kafkajs warns that limited retries weaken the idempotent
 * producer's guarantees; within those retries, duplicates are still avoided.)
 */
const CONNECTION_TIMEOUT_MS = 2_500;
const REQUEST_TIMEOUT_MS = 5_000;
const RETRY = {retries: 3, initialRetryTime: 250, maxRetryTime: 2_000};
/** How long a fetch waits at the broker for new data; bounds how long closing a tail takes. */
const FETCH_MAX_WAIT_MS = 500;

interface Client {
  lib: KafkaJs;
  kafka: Kafka;
}

/** The bus on a real Kafka cluster, through kafkajs. */
export class KafkaBus implements MessageBus {
  readonly kind = 'kafka';
  readonly description: string;
  private client: Promise<Client> | undefined;
  private producer: Promise<Producer> | undefined;
  private admin: Promise<Admin> | undefined;
  private readonly tails = new Set<KafkaTail>();
  private closed = false;
  private lastSend: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly settings: KafkaSettings,
    private readonly options: KafkaBusOptions = {},
  ) {
    const extras = [
      settings.ssl ? 'tls' : undefined,
      settings.sasl ? `sasl ${settings.sasl.mechanism} as ${settings.sasl.username}` : undefined,
    ].filter(Boolean);
    this.description =
      `kafka ${settings.brokers.join(',')}` + (extras.length ? ` (${extras.join(', ')})` : '');
  }

  async publish(topic: string, message: OutgoingMessage): Promise<PublishResult> {
    this.checkOpen();
    checkTopicName(topic);
    const value = encodeValue(message.value);
    // One send at a time: concurrent kafkajs sends can overtake each other, even with one
    // request in flight, and publishes must land in the order they were made.
    const sent = this.lastSend.then(() => this.send(topic, {...message, value}));
    this.lastSend = sent.catch(() => {});
    return sent;
  }

  private async send(topic: string, message: OutgoingMessage & {value: Buffer}) {
    const producer = await this.connectedProducer();
    try {
      const [metadata] = await producer.send({
        topic,
        messages: [{key: message.key ?? null, value: message.value, headers: message.headers}],
      });
      if (!metadata?.baseOffset) throw new Error(`the broker returned no offset for ${topic}`);
      return {topic, partition: metadata.partition, offset: Number(metadata.baseOffset)};
    } catch (error) {
      throw this.explain(error, topic);
    }
  }

  tail(topic: string, options: TailOptions, onMessage: MessageHandler): TailSubscription {
    this.checkOpen();
    checkTopicName(topic);
    const tail = new KafkaTail(this, topic, options, onMessage, () => this.tails.delete(tail));
    this.tails.add(tail);
    return tail;
  }

  async listTopics(only?: string[]): Promise<TopicInfo[]> {
    this.checkOpen();
    const admin = await this.connectedAdmin();
    try {
      const names = (await admin.listTopics())
        .filter((name) => !name.startsWith('__') && (!only || only.includes(name)))
        .sort();
      const results = await Promise.allSettled(
        names.map(async (name) => {
          const offsets = await admin.fetchTopicOffsets(name);
          const partitions = offsets
            .map(({partition, low, high}) => ({partition, low: Number(low), high: Number(high)}))
            .sort((a, b) => a.partition - b.partition);
          return {name, partitions};
        }),
      );
      // A topic deleted between the listing and its offsets is simply gone, not a broker failure.
      const listed = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const failure = results.find((r) => r.status === 'rejected');
      if (failure && listed.length === 0) throw failure.reason;
      return listed;
    } catch (error) {
      throw this.explain(error);
    }
  }

  async ensureTopics(topics: string[]): Promise<void> {
    this.checkOpen();
    topics.forEach(checkTopicName);
    const admin = await this.connectedAdmin();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
      if (missing.length === 0) return;
      // Only the missing ones: when any topic already exists, kafkajs skips waiting for leaders.
      // Partitions and replication come from the broker's defaults.
      await admin.createTopics({topics: missing.map((topic) => ({topic})), waitForLeaders: true});
    } catch (error) {
      throw this.explain(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.lastSend, ...[...this.tails].map((tail) => tail.close())]);
    const disconnect = async (client: Promise<Producer | Admin> | undefined) => {
      await (await client?.catch(() => undefined))?.disconnect();
    };
    await Promise.all([disconnect(this.producer), disconnect(this.admin)]);
  }

  /** @internal For KafkaTail. */
  async connectClient(): Promise<Client> {
    this.client ??= this.createClient();
    return this.client;
  }

  /** @internal For KafkaTail: the shared admin client. */
  async connectedAdmin(): Promise<Admin> {
    this.admin ??= this.connectOnce(async ({kafka}) => {
      const admin = kafka.admin({retry: RETRY});
      await admin.connect();
      return admin;
    });
    try {
      return await this.admin;
    } catch (error) {
      this.admin = undefined;
      throw error;
    }
  }

  /** @internal For KafkaTail: throwaway group ids start with it. */
  get clientId(): string {
    return this.settings.clientId;
  }

  /** @internal For KafkaTail. */
  warn(message: string): void {
    this.options.onWarning?.(this.redact(message));
  }

  /**
   * Turns kafkajs errors about reaching or logging into the brokers into one clear line; other
   * errors keep their meaning but lose nothing secret.
   */
  explain(error: unknown, topic?: string): Error {
    if (error instanceof UserFacingError) return error;
    const chain = causes(error);
    const brokers = this.settings.brokers.join(', ');
    const detail = this.redact(chain.at(-1)?.message ?? String(error));
    const sasl = this.settings.sasl;
    const authFailure = chain.some(
      (cause) =>
        cause.name === 'KafkaJSSASLAuthenticationError' ||
        /^(SASL_AUTHENTICATION_FAILED|UNSUPPORTED_SASL_MECHANISM|ILLEGAL_SASL_STATE)$/.test(
          String((cause as {type?: unknown}).type),
        ),
    );
    if (authFailure) {
      const who = sasl
        ? `SASL ${sasl.mechanism.toUpperCase()} as user "${sasl.username}"`
        : 'no SASL credentials configured';
      return new ConnectionError(
        `Kafka authentication failed at ${brokers} (${who}): ${detail}; ` +
          'check sasl.mechanism, sasl.username and sasl.password',
      );
    }
    const tls =
      this.settings.ssl &&
      chain.some(
        (cause) =>
          /SSL|TLS|CERT|EPROTO/i.test(String((cause as {code?: unknown}).code ?? '')) ||
          /\b(SSL|TLS|certificate)\b/i.test(cause.message),
      );
    if (tls) {
      return new ConnectionError(
        `SSL handshake with Kafka at ${brokers} failed: ${detail}; check that the listener uses ` +
          `TLS${this.settings.caFile ? ` and that ${this.settings.caFile} holds its CA` : ''}`,
      );
    }
    const unreachable = chain.some(
      (cause) =>
        /^KafkaJS(Connection|ConnectionClosed|RequestTimeout|NoBrokerAvailable)Error$/.test(
          cause.name,
        ) ||
        cause.name === 'KafkaJSBrokerNotFound' ||
        // What kafkajs throws, as a plain Error, when retrying after a request timed out.
        cause.message === 'Broker not connected',
    );
    if (unreachable) {
      const why = /^(Closed connection|Connection closed)/i.test(detail)
        ? 'the broker closed the connection: does the listener expect TLS or SASL?'
        : /^(Broker not connected|Request .* timed out)/.test(detail)
          ? 'no answer in time'
          : detail;
      return new ConnectionError(
        `cannot reach Kafka at ${brokers} (${why}); check bootstrap.servers and that the ` +
          'broker is running',
      );
    }
    if (
      topic &&
      chain.some((cause) => (cause as {type?: unknown}).type === 'UNKNOWN_TOPIC_OR_PARTITION')
    ) {
      return new UserFacingError(
        `topic ${topic} does not exist on ${brokers} and the broker does not create topics ` +
          'on first use; create it first',
      );
    }
    const message = this.redact(error instanceof Error ? error.message : String(error));
    return new Error(`Kafka request failed: ${message}`, {cause: error});
  }

  private redact(text: string): string {
    return redactPassword(this.settings, text);
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('the Kafka bus is closed');
  }

  private async connectedProducer(): Promise<Producer> {
    this.producer ??= this.connectOnce(async ({kafka, lib}) => {
      const producer = kafka.producer({
        idempotent: true,
        // One request in flight keeps concurrent publishes in order, even across retries.
        maxInFlightRequests: 1,
        retry: RETRY,
        // Explicit, which also silences kafkajs' warning about its v2 partitioner change.
        createPartitioner: lib.Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      return producer;
    });
    try {
      return await this.producer;
    } catch (error) {
      // Forget the failed attempt so that the next publish tries again.
      this.producer = undefined;
      throw error;
    }
  }

  private async connectOnce<T extends Producer | Admin>(
    connect: (client: Client) => Promise<T>,
  ): Promise<T> {
    const client = await this.connectClient();
    try {
      return await connect(client);
    } catch (error) {
      throw this.explain(error);
    }
  }

  private async createClient(): Promise<Client> {
    try {
      return await createKafkaClient(this.settings, {
        connectionTimeout: CONNECTION_TIMEOUT_MS,
        requestTimeout: REQUEST_TIMEOUT_MS,
        retry: RETRY,
        ...(this.options.onLog ? {onLog: this.options.onLog} : {}),
        ...(this.options.logLevel ? {logLevel: this.options.logLevel} : {}),
      });
    } catch (error) {
      this.client = undefined;
      throw error;
    }
  }
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    // A repeated header arrives as an array; the last value wins, as in a plain object.
    const value = Array.isArray(raw) ? raw.at(-1) : raw;
    if (value !== undefined) result[name] = value.toString();
  }
  return result;
}

/**
 * One tail is one consumer in a throwaway group (`<clientId>-tail-<uuid>`) with auto-commit off:
 * kafkajs 2 cannot assign partitions without a group, and a group of its own means this tail gets
 * every partition and commits nothing that another consumer could pick up. Positions are kept
 * here and re-applied by seeking after every (re)join, so that a restart after a broker hiccup
 * neither repeats nor skips messages.
 */
class KafkaTail implements TailSubscription {
  readonly ready: Promise<void>;
  private consumer: Consumer | undefined;
  /** Next offset to deliver per partition, as a string (kafkajs offsets are int64 strings). */
  private readonly positions = new Map<number, string>();
  private positioned = false;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly bus: KafkaBus,
    private readonly topic: string,
    private readonly options: TailOptions,
    private readonly onMessage: MessageHandler,
    private readonly onClose: () => void,
  ) {
    this.ready = this.start();
    // Callers that never await `ready` must not crash the process with an unhandled rejection.
    this.ready.catch(() => {});
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.onClose();
      await this.ready.catch(() => {});
      await this.consumer?.disconnect().catch(() => {});
    })();
    return this.closing;
  }

  private async start(): Promise<void> {
    const {kafka} = await this.bus.connectClient();
    const {topic} = this;
    if (this.options.from === 'latest') {
      // The high watermarks now: whatever is published after `ready` lands at or beyond them.
      const admin = await this.bus.connectedAdmin();
      try {
        for (const {partition, high} of await admin.fetchTopicOffsets(topic)) {
          this.positions.set(partition, high);
        }
      } catch (error) {
        throw this.bus.explain(error, topic);
      }
    }
    if (this.closed) return;
    await this.runConsumer(kafka);
    this.positioned = true;
  }

  /**
   * One consumer from the current positions (or the start option where there are none). kafkajs
   * restarts a consumer after retriable errors only; after a broker restart it can stop for good
   * on others, so the tail then starts a new consumer itself, with back-off, until it is closed.
   */
  private async runConsumer(kafka: Kafka): Promise<void> {
    const {topic} = this;
    let crash: Error | undefined;
    const consumer = kafka.consumer({
      groupId: `${this.bus.clientId}-tail-${randomUUID()}`,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      // Bigger fetches when catching up on a long topic; a live tail gets what there is.
      maxBytesPerPartition: 8 * 1024 * 1024,
      retry: {
        ...RETRY,
        // Before `ready` a failure is reported to the caller; afterwards kafkajs rejoins.
        restartOnFailure: async () => this.positioned && !this.closed,
      },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [partition, offset] of this.positions) consumer.seek({topic, partition, offset});
    });
    consumer.on(consumer.events.CRASH, ({payload}) => {
      crash = payload.error;
      if (this.positioned && !payload.restart && !this.closed) {
        this.bus.warn(
          `tail of ${topic} stopped (${this.bus.explain(payload.error).message}); starting it again`,
        );
        void this.revive(kafka, consumer);
      }
    });
    try {
      await consumer.connect();
      await consumer.subscribe({topic, fromBeginning: this.options.from === 'earliest'});
      // Resolves once the group is joined and the seeks above are queued, or after a crash.
      await consumer.run({
        autoCommit: false,
        // Whole batches, handled synchronously unless the handler returns a promise: per-message
        // awaits and kafkajs' per-message bookkeeping cost more than the decoding.
        eachBatch: async ({batch, heartbeat, isRunning, isStale}) => {
          const {partition} = batch;
          for (const message of batch.messages) {
            if (this.closed || !isRunning() || isStale()) break;
            this.positions.set(partition, (BigInt(message.offset) + 1n).toString());
            const pending = this.deliver({
              topic,
              partition,
              offset: Number(message.offset),
              timestamp: Number(message.timestamp),
              key: message.key === null ? null : message.key.toString(),
              value: message.value,
              headers: headerText(message.headers),
            });
            if (pending) await pending;
          }
          await heartbeat();
        },
      });
      if (crash) throw crash;
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      throw this.bus.explain(error, topic);
    }
  }

  private reviving = false;

  private async revive(kafka: Kafka, stopped: Consumer): Promise<void> {
    if (this.reviving) return;
    this.reviving = true;
    try {
      await stopped.disconnect().catch(() => {});
      for (let attempt = 0; !this.closed; attempt++) {
        // Unref'd: a closed bus must not keep the process alive for the back-off.
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(1000 * 2 ** attempt, 10_000)).unref(),
        );
        if (this.closed) return;
        try {
          await this.runConsumer(kafka);
          return;
        } catch {
          // Still down: try again later.
        }
      }
    } finally {
      this.reviving = false;
    }
  }

  /** Calls the handler; a promise comes back only when the handler returned one. */
  private deliver(message: BusMessage): Promise<void> | undefined {
    const fail = (error: unknown) => {
      // Rethrowing would make kafkajs redeliver the same message forever.
      this.bus.warn(
        `handler for ${message.topic} failed at offset ${message.offset}: ${(error as Error).message}`,
      );
    };
    try {
      const result = this.onMessage(message);
      return result instanceof Promise ? result.catch(fail) : undefined;
    } catch (error) {
      fail(error);
      return undefined;
    }
  }
}
