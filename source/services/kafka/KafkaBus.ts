// Types only: kafkajs itself is imported on first use, to keep start-up fast.
import type {Admin, Kafka, Producer} from 'kafkajs';
import type {
  EnsureTopicsOptions,
  GroupPartitionOffsets,
  MessageBus,
  MessageHandler,
  OutgoingMessage,
  PublishResult,
  TailOptions,
  TailSubscription,
  TopicInfo,
} from '../ports/MessageBus.js';
import {
  createKafkaClient,
  redactPassword,
  type KafkaJs,
  type KafkaLogLevel,
} from './kafkaClient.js';
import {explainKafkaFailure} from './kafkaErrors.js';
import {KafkaTail, type TailHost} from './KafkaTail.js';
import {isTopicChurn, listTopicNames, missingTopics} from './kafkaTopics.js';
import {checkTopicName, encodeValue} from '../messages/messageInput.js';
import type {KafkaSettings} from '../config/settings.js';
import {Lazy} from '../Lazy.js';
import {retry} from '../retry.js';

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
/** Creating topics again at once, for those the first attempt did not leave in the metadata. */
const CREATE_RETRY = {retries: 2, initialMs: 0, maxMs: 0};

interface Client {
  lib: KafkaJs;
  kafka: Kafka;
}

/** The bus on a real Kafka cluster, through kafkajs. */
export class KafkaBus implements MessageBus, TailHost {
  readonly kind = 'kafka';
  readonly description: string;
  private readonly client = new Lazy(() => this.createClient());
  private readonly producer = new Lazy(() => this.connectProducer());
  private readonly admin = new Lazy(() =>
    this.connectWith(async ({kafka}) => {
      const admin = kafka.admin({retry: RETRY});
      await admin.connect();
      return admin;
    }),
  );
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
    const producer = await this.producer.get();
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
    const admin = await this.admin.get();
    try {
      const names = (await listTopicNames(admin))
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

  async ensureTopics(topics: string[], options: EnsureTopicsOptions = {}): Promise<string[]> {
    const compacted = new Set(options.compacted);
    this.checkOpen();
    topics.forEach(checkTopicName);
    const admin = await this.admin.get();
    try {
      const created = await missingTopics(admin, topics);
      let missing = created;
      await retry(
        async () => {
          // Only the missing ones: when any topic already exists, kafkajs skips waiting for
          // leaders. Partitions and replication come from the broker's defaults.
          if (missing.length === 0) return;
          await admin.createTopics({
            topics: missing.map((topic) => ({
              topic,
              ...(compacted.has(topic)
                ? {configEntries: [{name: 'cleanup.policy', value: 'compact'}]}
                : {}),
            })),
            waitForLeaders: true,
          });
        },
        {
          ...CREATE_RETRY,
          shouldRetry: isTopicChurn,
          // Created, but not yet in the metadata kafkajs waits on: see what is there now.
          onFailedAttempt: async () => {
            missing = await missingTopics(admin, missing);
          },
        },
      );
      return created;
    } catch (error) {
      throw this.explain(error);
    }
  }

  async groupOffsets(groupId: string, topic: string): Promise<GroupPartitionOffsets[]> {
    this.checkOpen();
    checkTopicName(topic);
    const admin = await this.admin.get();
    try {
      if ((await missingTopics(admin, [topic])).length > 0) return [];
      // The end offsets first: a commit landing in between then never shows as negative lag.
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({groupId, topics: [topic]});
      return ends
        .map(({partition, low, high}) => {
          const offset = Number(
            committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1,
          );
          const end = Number(high);
          const position = offset >= 0 ? offset : null;
          return {
            partition,
            committed: position,
            end,
            lag: Math.max(0, end - (position ?? Number(low))),
          };
        })
        .sort((a, b) => a.partition - b.partition);
    } catch (error) {
      throw this.explain(error, topic);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.lastSend, ...[...this.tails].map((tail) => tail.close())]);
    const disconnect = async (client: Lazy<Producer | Admin>) => {
      await (await client.current())?.disconnect();
    };
    await Promise.all([disconnect(this.producer), disconnect(this.admin)]);
  }

  /** @internal For KafkaTail. */
  connectClient(): Promise<Client> {
    return this.client.get();
  }

  /** @internal For KafkaTail: the shared admin client. */
  connectedAdmin(): Promise<Admin> {
    return this.admin.get();
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
   * Turns kafkajs errors that an operator can fix (reaching or logging into the brokers, topics)
   * into one clear line; other errors keep their meaning but lose nothing secret.
   */
  explain(error: unknown, topic?: string): Error {
    const known = explainKafkaFailure(this.settings, error, topic);
    if (known) return known;
    const message = this.redact(error instanceof Error ? error.message : String(error));
    return new Error(`Kafka request failed: ${message}`, {cause: error});
  }

  private redact(text: string): string {
    return redactPassword(this.settings, text);
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('the Kafka bus is closed');
  }

  private connectProducer(): Promise<Producer> {
    return this.connectWith(async ({kafka, lib}) => {
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
  }

  /** Connects a producer or admin on the shared client; failures come out explained. */
  private async connectWith<T extends Producer | Admin>(
    connect: (client: Client) => Promise<T>,
  ): Promise<T> {
    const client = await this.client.get();
    try {
      return await connect(client);
    } catch (error) {
      throw this.explain(error);
    }
  }

  private createClient(): Promise<Client> {
    return createKafkaClient(this.settings, {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      retry: RETRY,
      ...(this.options.onLog ? {onLog: this.options.onLog} : {}),
      ...(this.options.logLevel ? {logLevel: this.options.logLevel} : {}),
    });
  }
}
