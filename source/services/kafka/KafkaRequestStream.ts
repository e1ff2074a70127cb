// Types only: kafkajs itself is imported when the stream runs, to keep start-up fast.
import type {Consumer} from 'kafkajs';
import type {
  BatchHandler,
  BatchOutput,
  DeliveryGuarantee,
  RequestStream,
} from '../ports/RequestStream.js';
import {KafkaBatchProcessor} from './KafkaBatchProcessor.js';
import {createKafkaClient, redactPassword, type KafkaLogLevel} from './kafkaClient.js';
import {describeError, explainKafkaFailure} from './kafkaErrors.js';
import {TopicWatch} from './kafkaTopics.js';
import type {KafkaSettings} from '../config/settings.js';
import {Lazy} from '../Lazy.js';

export interface KafkaRequestStreamOptions {
  settings: KafkaSettings;
  groupId: string;
  /** The requests topic. */
  topic: string;
  /** Default 'exactly-once' (transactions); 'at-least-once' for brokers without them. */
  guarantee?: DeliveryGuarantee;
  /** Problems the stream recovers from (a batch retried, a consumer restarted), one line each. */
  onWarning?: (line: string) => void;
  /** kafkajs' own log lines (passwords removed); without it kafkajs stays silent. */
  onLog?: (level: KafkaLogLevel, line: string) => void;
  /** What the output topics are, for warnings about them: {"predict_requests.dlq": "dead-letter topic"}. */
  topicLabels?: Record<string, string>;
}

/*
 * Session timeout: a killed instance's partitions move to the others after this long (kafkajs has
 * no static membership).
 */
const SESSION_TIMEOUT_MS = 10_000;
const HEARTBEAT_INTERVAL_MS = 1_000;
const REBALANCE_TIMEOUT_MS = 30_000;
/** How long an idle fetch waits at the broker; bounds how long a stop waits for the fetch. */
const FETCH_MAX_WAIT_MS = 250;
const CONNECTION_TIMEOUT_MS = 3_000;
const CLIENT_RETRY = {retries: 8, initialRetryTime: 100, maxRetryTime: 3_000};
/** Partitions processed at once (each has its own transactional producer). */
const PARTITION_CONCURRENCY = 4;

/**
 * Prediction requests from Kafka. Exactly-once is consume-transform-produce in Kafka transactions:
 * each batch's predictions, dead letters and consumer offset are committed in one transaction
 * (KafkaBatchProcessor), so a read_committed consumer sees each answer once whatever crashes.
 * This class runs the consumer: its group, its restarts, and stopping it.
 *
 * kafkajs has no consumer-group fencing (KIP-447), so every input partition gets its own
 * transactional id (`wine-tui-serve-<group>-<topic>-<partition>`). After each group (re)join, the
 * first batch of a partition initialises that id, which waits for and aborts or completes any
 * open transaction of a dead or stuck owner (or of our own, cut off by a broker restart) and
 * fences that owner; it then re-reads the group's committed offset and skips what is already
 * answered (kafkajs' OffsetFetch does not wait for pending transactional offsets). Any failed
 * batch drops its producer (the next attempt re-initialises and re-checks) and is fetched again
 * from its first offset.
 */
export class KafkaRequestStream implements RequestStream {
  readonly guarantee: DeliveryGuarantee;
  readonly description: string;
  private readonly settings: KafkaSettings;
  private readonly groupId: string;
  private readonly topic: string;
  private readonly warn: (line: string) => void;
  private readonly onLog: KafkaRequestStreamOptions['onLog'];
  private readonly watch: TopicWatch;
  private readonly client = new Lazy(() => this.createClient());
  private readonly admin = new Lazy(async () => {
    const {kafka} = await this.client.get();
    const admin = kafka.admin({retry: CLIENT_RETRY});
    await admin.connect();
    return admin;
  });
  private readonly batches: KafkaBatchProcessor;
  private consumer: Consumer | undefined;
  /** The partitions of the last group join; null while (re)joining or stopped. */
  private assigned: number[] | null = null;
  private stopping: Promise<void> | undefined;
  private finish!: (error?: Error) => void;
  private readonly finished: Promise<void>;

  constructor(options: KafkaRequestStreamOptions) {
    this.settings = options.settings;
    this.groupId = options.groupId;
    this.topic = options.topic;
    this.guarantee = options.guarantee ?? 'exactly-once';
    this.warn = (line) => options.onWarning?.(this.redact(line));
    this.onLog = options.onLog;
    this.watch = new TopicWatch({
      settings: this.settings,
      admin: () => this.admin.get(),
      warn: this.warn,
      labels: {...options.topicLabels, [options.topic]: 'requests topic'},
    });
    this.description =
      `kafka ${options.settings.brokers.join(',')}, topic ${options.topic}, group ${options.groupId}, ` +
      (this.guarantee === 'exactly-once'
        ? 'exactly-once (one transaction per batch)'
        : 'at-least-once (offsets committed after publishing)');
    this.batches = new KafkaBatchProcessor({
      client: this.client,
      admin: this.admin,
      groupId: this.groupId,
      topic: this.topic,
      guarantee: this.guarantee,
      watch: this.watch,
      warn: this.warn,
      seek: (partition, offset) => this.seek(partition, offset),
    });
    this.finished = new Promise<void>((resolve, reject) => {
      this.finish = (error) => (error ? reject(error) : resolve());
    });
    this.finished.catch(() => {});
  }

  async run<O extends BatchOutput>(handler: BatchHandler<O>): Promise<void> {
    const {kafka} = await this.client.get();
    const consumer = kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: this.settings.sessionTimeoutMs ?? SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      rebalanceTimeout: REBALANCE_TIMEOUT_MS,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      // read_committed: requests produced in aborted transactions are never answered.
      readUncommitted: false,
      retry: {
        ...CLIENT_RETRY,
        // Every restart fails at once while the requests topic is gone: wait for it instead.
        restartOnFailure: async (error) => {
          if (!this.stopping) {
            const [then, back] = ['consuming resumes once it exists', 'consuming again'];
            await this.watch.untilExists(this.topic, error, then, back);
          }
          return !this.stopping;
        },
      },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.REBALANCING, () => (this.assigned = null));
    consumer.on(consumer.events.GROUP_JOIN, ({payload}) => {
      this.assigned = [...(payload.memberAssignment[this.topic] ?? [])].sort((a, b) => a - b);
      // After every (re)join the positions come from an OffsetFetch that ignores transactions not
      // yet complete - possibly our own last one, if the broker went away during its commit. So
      // every partition starts over with a fresh producer: its InitProducerId waits for any
      // transaction of that id to complete, and the committed offset is read again after it.
      // (Batches are never in flight during a join: kafkajs stops its fetchers first.)
      this.batches.restart();
    });
    consumer.on(consumer.events.CRASH, ({payload}) => {
      this.assigned = null;
      if (this.stopping || this.watch.explains(payload.error)) return;
      if (payload.restart) {
        this.warn(`Kafka consumer restarting after: ${describeError(payload.error)}`);
      } else {
        this.finish(this.explain(payload.error));
      }
    });
    try {
      await consumer.connect();
      await consumer.subscribe({
        topic: this.topic,
        fromBeginning: this.settings.autoOffsetReset === 'earliest',
      });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: PARTITION_CONCURRENCY,
        eachBatch: (payload) => this.batches.process(payload, handler),
      });
    } catch (error) {
      // A stop while the consumer was still joining breaks its connections: not a failure.
      const stopped = this.stopping !== undefined;
      await this.stop();
      if (!stopped) throw this.explain(error);
    }
    await this.finished;
  }

  partitions(): number[] | null {
    return this.assigned;
  }

  stop(): Promise<void> {
    this.assigned = null;
    this.watch.close();
    this.stopping ??= (async () => {
      // Waits for the batch in hand (its transaction commits) and leaves the group.
      await this.consumer?.disconnect().catch(() => {});
      await Promise.all([this.batches.close(), this.admin.close((admin) => admin.disconnect())]);
      this.finish();
    })();
    return this.stopping;
  }

  private seek(partition: number, offset: number): void {
    try {
      this.consumer?.seek({topic: this.topic, partition, offset: String(offset)});
    } catch {
      // Not running any more: the next owner starts from the committed offset anyway.
    }
  }

  private createClient() {
    return createKafkaClient(this.settings, {
      clientIdSuffix: '-serve',
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      retry: CLIENT_RETRY,
      ...(this.onLog ? {onLog: this.onLog, logLevel: 'info' as const} : {}),
    });
  }

  private explain(error: unknown): Error {
    return (
      explainKafkaFailure(this.settings, error, this.topic, 'requests topic') ??
      new Error(`Kafka: ${this.redact(describeError(error))}`, {cause: error})
    );
  }

  private redact(text: string): string {
    return redactPassword(this.settings, text);
  }
}
