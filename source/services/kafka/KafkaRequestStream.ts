import {setTimeout as sleep} from 'node:timers/promises';
// Types only: kafkajs itself is imported when the stream runs, to keep start-up fast.
import type {Admin, Consumer, EachBatchPayload, Kafka, Producer, Transaction} from 'kafkajs';
import type {
  BatchHandler,
  BatchOutput,
  DeliveryGuarantee,
  OutputMessage,
  RequestRecord,
  RequestStream,
} from '../ports/RequestStream.js';
import {
  causes,
  createKafkaClient,
  explainKafkaFailure,
  redactPassword,
  type KafkaJs,
  type KafkaLogLevel,
} from './kafkaClient.js';
import {byTopic, chunks, topicsOf} from './kafkaOutput.js';
import {TopicWatch} from './kafkaTopics.js';
import type {KafkaSettings} from '../config/settings.js';

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
 * no static membership). The transaction timeout bounds how long a dead instance's open
 * transaction can hold back read_committed consumers when no one takes over its partition.
 */
const SESSION_TIMEOUT_MS = 10_000;
const HEARTBEAT_INTERVAL_MS = 1_000;
const REBALANCE_TIMEOUT_MS = 30_000;
const TRANSACTION_TIMEOUT_MS = 30_000;
/** How long an idle fetch waits at the broker; bounds how long a stop waits for the fetch. */
const FETCH_MAX_WAIT_MS = 250;
const CONNECTION_TIMEOUT_MS = 3_000;
const CLIENT_RETRY = {retries: 8, initialRetryTime: 100, maxRetryTime: 3_000};
/*
 * Until the previous commit's markers are written, the broker answers the next transaction's
 * AddPartitionsToTxn / AddOffsetsToTxn with CONCURRENT_TRANSACTIONS. That takes milliseconds, so
 * retry after a few (the Java client does the same), not after kafkajs' default 300 ms: on a
 * loaded test machine this alone took a transaction's median from 27 to 11 ms.
 */
const PRODUCER_RETRY = {retries: 15, initialRetryTime: 3, maxRetryTime: 500, multiplier: 1.5};
const OFFSETS_RETRY = {attempts: 20, initialMs: 3, maxMs: 200, multiplier: 1.5};
/** Partitions processed at once (each has its own transactional producer). */
const PARTITION_CONCURRENCY = 4;
const BATCH_BACKOFF = {initialMs: 100, maxMs: 5_000};

/**
 * Prediction requests from Kafka. Exactly-once is consume-transform-produce in Kafka transactions:
 * each batch's predictions, dead letters and consumer offset are committed in one transaction
 * (transaction.sendOffsets), so a read_committed consumer sees each answer once whatever crashes.
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
  private client: Promise<{lib: KafkaJs; kafka: Kafka}> | undefined;
  private consumer: Consumer | undefined;
  private admin: Promise<Admin> | undefined;
  /** Exactly-once: one transactional producer per input partition we own. */
  private readonly producers = new Map<number, Promise<Producer>>();
  /** At-least-once: one idempotent producer. */
  private shared: Promise<Producer> | undefined;
  private failures = 0;
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
      admin: () => this.connectedAdmin(),
      warn: this.warn,
      labels: {...options.topicLabels, [options.topic]: 'requests topic'},
    });
    this.description =
      `kafka ${options.settings.brokers.join(',')}, topic ${options.topic}, group ${options.groupId}, ` +
      (this.guarantee === 'exactly-once'
        ? 'exactly-once (one transaction per batch)'
        : 'at-least-once (offsets committed after publishing)');
    this.finished = new Promise<void>((resolve, reject) => {
      this.finish = (error) => (error ? reject(error) : resolve());
    });
    this.finished.catch(() => {});
  }

  async run<O extends BatchOutput>(handler: BatchHandler<O>): Promise<void> {
    const {kafka} = await this.connectClient();
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
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // After every (re)join the positions come from an OffsetFetch that ignores transactions not
      // yet complete - possibly our own last one, if the broker went away during its commit. So
      // every partition starts over with a fresh producer: its InitProducerId waits for any
      // transaction of that id to complete, and the committed offset is read again after it.
      // (Batches are never in flight during a join: kafkajs stops its fetchers first.)
      for (const partition of [...this.producers.keys()]) void this.dropProducer(partition);
    });
    consumer.on(consumer.events.CRASH, ({payload}) => {
      if (this.stopping || this.watch.explains(payload.error)) return;
      if (payload.restart) {
        this.warn(`Kafka consumer restarting after: ${describe(payload.error)}`);
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
        eachBatch: (payload) => this.onBatch(payload, handler),
      });
    } catch (error) {
      // A stop while the consumer was still joining breaks its connections: not a failure.
      const stopped = this.stopping !== undefined;
      await this.stop();
      if (!stopped) throw this.explain(error);
    }
    await this.finished;
  }

  stop(): Promise<void> {
    this.watch.close();
    this.stopping ??= (async () => {
      // Waits for the batch in hand (its transaction commits) and leaves the group.
      await this.consumer?.disconnect().catch(() => {});
      await Promise.all([
        ...[...this.producers.keys()].map((partition) => this.dropProducer(partition)),
        settle(this.shared, (producer) => producer.disconnect()),
        settle(this.admin, (admin) => admin.disconnect()),
      ]);
      this.finish();
    })();
    return this.stopping;
  }

  private async onBatch<O extends BatchOutput>(
    {batch, resolveOffset, isRunning, commitOffsetsIfNecessary}: EachBatchPayload,
    handler: BatchHandler<O>,
  ): Promise<void> {
    const receivedAt = performance.now();
    const {partition} = batch;
    let records: RequestRecord[] = batch.messages.map((message) => ({
      topic: this.topic,
      partition,
      offset: Number(message.offset),
      timestamp: Number(message.timestamp),
      key: message.key === null ? null : message.key.toString(),
      value: message.value,
      receivedAt,
    }));
    if (records.length === 0) return;
    let output: O | undefined;
    try {
      if (this.guarantee === 'exactly-once') {
        const {producer, fresh} = await this.partitionProducer(partition);
        if (fresh) {
          // After fencing the previous owner: its last commit is final and visible now.
          const committed = await this.committedOffset(partition);
          const fetched = Number((batch as {fetchedOffset?: string}).fetchedOffset ?? NaN);
          if (committed !== undefined && committed < fetched) {
            this.seek(partition, committed);
            return;
          }
          if (committed !== undefined) records = records.filter((r) => r.offset >= committed);
          if (records.length === 0) {
            this.seek(partition, committed!);
            return;
          }
        }
        output = handler.process(records);
        await this.transact(producer, output.messages, partition, records.at(-1)!.offset + 1);
      } else {
        output = handler.process(records);
        const producer = await this.sharedProducer();
        for (const chunk of chunks(output.messages)) {
          await producer.sendBatch({topicMessages: byTopic(chunk)});
        }
        // Through the batch's own commit: consumer.commitOffsets() silently skips the commit
        // once a stop has begun, and the batch in hand must still be committed then.
        await commitOffsetsIfNecessary({
          topics: [
            {
              topic: this.topic,
              partitions: [{partition, offset: String(records.at(-1)!.offset + 1)}],
            },
          ],
        });
      }
      resolveOffset(String(records.at(-1)!.offset));
      handler.committed(records, output);
      const back = this.watch.back(topicsOf(output), 'the requests held back for it are answered');
      if (this.failures > 0 && !back) {
        this.warn(`batches commit again after ${this.failures} failed attempt(s)`);
      }
      this.failures = 0;
    } catch (error) {
      if (this.guarantee === 'exactly-once') void this.dropProducer(partition);
      // Fetched again from its first offset, by us or by the partition's next owner.
      this.seek(partition, records[0]!.offset);
      this.failures += 1;
      const where = `${this.topic}/${partition}@${records[0]!.offset}`;
      const then = `requests from ${where} on wait for it (nothing is committed or lost meanwhile)`;
      const missing = await this.watch.missing(error, topicsOf(output), then);
      if (this.failures === 1 && missing.length === 0) {
        this.warn(
          `a batch of ${records.length} requests from ${where} was not committed ` +
            `(${describe(error)}); it will be processed again`,
        );
      }
      if (!isRunning()) return;
      await sleep(
        Math.min(
          BATCH_BACKOFF.maxMs,
          BATCH_BACKOFF.initialMs * 2 ** Math.min(this.failures - 1, 10),
        ),
      );
    }
  }

  private async transact(
    producer: Producer,
    messages: OutputMessage[],
    partition: number,
    nextOffset: number,
  ): Promise<void> {
    const transaction = await producer.transaction();
    try {
      // Messages and offsets are independent parts of the transaction: send them side by side.
      const sent = await Promise.allSettled([
        (async () => {
          for (const chunk of chunks(messages)) {
            await transaction.sendBatch({topicMessages: byTopic(chunk)});
          }
        })(),
        this.sendOffsets(transaction, partition, nextOffset),
      ]);
      for (const result of sent) if (result.status === 'rejected') throw result.reason;
      await transaction.commit();
    } catch (error) {
      // Fails too if the commit itself failed half-way; the producer is dropped either way.
      await transaction.abort().catch(() => {});
      throw error;
    }
  }

  /** kafkajs does not retry AddOffsetsToTxn on CONCURRENT_TRANSACTIONS (the previous commit is still completing). */
  private async sendOffsets(
    transaction: Transaction,
    partition: number,
    nextOffset: number,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await transaction.sendOffsets({
          consumerGroupId: this.groupId,
          topics: [{topic: this.topic, partitions: [{partition, offset: String(nextOffset)}]}],
        });
        return;
      } catch (error) {
        if (attempt >= OFFSETS_RETRY.attempts || !hasType(error, 'CONCURRENT_TRANSACTIONS')) {
          throw error;
        }
        const {initialMs, maxMs, multiplier} = OFFSETS_RETRY;
        await sleep(Math.min(maxMs, initialMs * multiplier ** attempt));
      }
    }
  }

  private seek(partition: number, offset: number): void {
    try {
      this.consumer?.seek({topic: this.topic, partition, offset: String(offset)});
    } catch {
      // Not running any more: the next owner starts from the committed offset anyway.
    }
  }

  /** The group's committed offset for a partition (the next one to answer), if any. */
  private async committedOffset(partition: number): Promise<number | undefined> {
    try {
      const admin = await this.connectedAdmin();
      const [topic] = await admin.fetchOffsets({groupId: this.groupId, topics: [this.topic]});
      const offset = Number(topic?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
      return offset >= 0 ? offset : undefined;
    } catch (error) {
      const admin = this.admin;
      this.admin = undefined;
      void settle(admin, (a) => a.disconnect());
      throw error;
    }
  }

  /** The partition's transactional producer; `fresh` when it was just initialised (and fenced its id). */
  private async partitionProducer(
    partition: number,
  ): Promise<{producer: Producer; fresh: boolean}> {
    const existing = this.producers.get(partition);
    if (existing) return {producer: await existing, fresh: false};
    const created = this.connectProducer(
      `wine-tui-serve-${this.groupId}-${this.topic}-${partition}`,
    );
    this.producers.set(partition, created);
    try {
      return {producer: await created, fresh: true};
    } catch (error) {
      if (this.producers.get(partition) === created) this.producers.delete(partition);
      throw error;
    }
  }

  private async sharedProducer(): Promise<Producer> {
    this.shared ??= this.connectProducer(undefined);
    try {
      return await this.shared;
    } catch (error) {
      this.shared = undefined;
      throw error;
    }
  }

  private async connectProducer(transactionalId: string | undefined): Promise<Producer> {
    const {lib, kafka} = await this.connectClient();
    const producer = kafka.producer({
      ...(transactionalId ? {transactionalId, transactionTimeout: TRANSACTION_TIMEOUT_MS} : {}),
      idempotent: true,
      maxInFlightRequests: 1,
      retry: PRODUCER_RETRY,
      createPartitioner: lib.Partitioners.DefaultPartitioner,
    });
    try {
      // For a transactional id this is InitProducerId: it fences any other holder of the id.
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => {});
      throw error;
    }
    return producer;
  }

  private async dropProducer(partition: number): Promise<void> {
    const producer = this.producers.get(partition);
    this.producers.delete(partition);
    await settle(producer, (p) => p.disconnect());
  }

  private async connectedAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const {kafka} = await this.connectClient();
      const admin = kafka.admin({retry: CLIENT_RETRY});
      await admin.connect();
      return admin;
    })();
    try {
      return await this.admin;
    } catch (error) {
      this.admin = undefined;
      throw error;
    }
  }

  private connectClient(): Promise<{lib: KafkaJs; kafka: Kafka}> {
    this.client ??= this.createClient();
    return this.client;
  }

  private async createClient(): Promise<{lib: KafkaJs; kafka: Kafka}> {
    try {
      return await createKafkaClient(this.settings, {
        clientIdSuffix: '-serve',
        connectionTimeout: CONNECTION_TIMEOUT_MS,
        retry: CLIENT_RETRY,
        ...(this.onLog ? {onLog: this.onLog, logLevel: 'info' as const} : {}),
      });
    } catch (error) {
      this.client = undefined;
      throw error;
    }
  }

  private explain(error: unknown): Error {
    return (
      explainKafkaFailure(this.settings, error, this.topic, 'requests topic') ??
      new Error(`Kafka: ${this.redact(describe(error))}`, {cause: error})
    );
  }

  private redact(text: string): string {
    return redactPassword(this.settings, text);
  }
}

async function settle<T>(
  pending: Promise<T> | undefined,
  then: (value: T) => Promise<unknown>,
): Promise<void> {
  try {
    if (pending) await then(await pending);
  } catch {
    // Closing what failed to open, or is already gone.
  }
}

function hasType(error: unknown, type: string): boolean {
  return causes(error).some((c) => (c as {type?: unknown}).type === type);
}

/** One line: the outermost message and, if different, the root cause. */
function describe(error: unknown): string {
  const chain = causes(error);
  if (chain.length === 0) return String(error);
  const outer = chain[0]!;
  const root = chain.at(-1)!;
  return root === outer || root.message === outer.message
    ? `${outer.name}: ${outer.message}`
    : `${outer.name}: ${outer.message} (${root.message})`;
}
