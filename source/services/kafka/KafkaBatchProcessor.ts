// Types only: kafkajs itself is imported when the stream runs, to keep start-up fast.
import type {Admin, EachBatchPayload, Kafka, Producer, Transaction} from 'kafkajs';
import type {
  BatchHandler,
  BatchOutput,
  DeliveryGuarantee,
  OutputMessage,
  RequestRecord,
} from '../ports/RequestStream.js';
import type {KafkaJs} from './kafkaClient.js';
import {describeError, hasErrorType} from './kafkaErrors.js';
import {headerText} from './kafkaHeaders.js';
import {byTopic, chunks, topicsOf} from './kafkaOutput.js';
import type {TopicWatch} from './kafkaTopics.js';
import {Lazy} from '../Lazy.js';
import {backoff, pause, retry} from '../retry.js';

export interface KafkaBatchProcessorOptions {
  client: Lazy<{lib: KafkaJs; kafka: Kafka}>;
  /** Shared with the stream; reconnected when reading an offset fails. */
  admin: Lazy<Admin>;
  groupId: string;
  /** The requests topic. */
  topic: string;
  guarantee: DeliveryGuarantee;
  watch: TopicWatch;
  warn: (line: string) => void;
  /** Where the consumer fetches a partition next. */
  seek: (partition: number, offset: number) => void;
}

/**
 * The transaction timeout bounds how long a dead instance's open transaction can hold back
 * read_committed consumers when no one takes over its partition.
 */
const TRANSACTION_TIMEOUT_MS = 30_000;
/*
 * Until the previous commit's markers are written, the broker answers the next transaction's
 * AddPartitionsToTxn / AddOffsetsToTxn with CONCURRENT_TRANSACTIONS. That takes milliseconds, so
 * retry after a few (the Java client does the same), not after kafkajs' default 300 ms: on a
 * loaded test machine this alone took a transaction's median from 27 to 11 ms.
 */
const PRODUCER_RETRY = {retries: 15, initialRetryTime: 3, maxRetryTime: 500, multiplier: 1.5};
const OFFSETS_RETRY = {retries: 20, initialMs: 3, maxMs: 200, factor: 1.5, jitter: 0.2};
/** Jittered: the partitions of a batch that failed together are fetched again apart. */
const BATCH_BACKOFF = {initialMs: 100, maxMs: 5_000, jitter: 0.2};

interface PartitionProducer {
  producer: Lazy<Producer>;
  /** The group's committed offset was read again since the producer was initialised. */
  checked: boolean;
}

/**
 * Publishes each batch's output and commits its offset: exactly-once in one Kafka transaction per
 * batch (transaction.sendOffsets), with a transactional producer per input partition
 * (`wine-tui-serve-<group>-<topic>-<partition>`), since kafkajs has no consumer-group fencing
 * (KIP-447); or at-least-once, publishing then committing. A failed batch drops its producer
 * (the next attempt re-initialises it and checks the committed offset again) and is fetched again
 * from its first offset after a back-off.
 */
export class KafkaBatchProcessor {
  /** Exactly-once: one transactional producer per input partition we own. */
  private readonly producers = new Map<number, PartitionProducer>();
  /** At-least-once: one idempotent producer. */
  private readonly shared = new Lazy(() => this.connectProducer(undefined));
  private failures = 0;

  constructor(private readonly options: KafkaBatchProcessorOptions) {}

  async process<O extends BatchOutput>(
    {batch, resolveOffset, isRunning, commitOffsetsIfNecessary}: EachBatchPayload,
    handler: BatchHandler<O>,
  ): Promise<void> {
    const {topic, guarantee, watch} = this.options;
    const receivedAt = performance.now();
    const {partition} = batch;
    let records: RequestRecord[] = batch.messages.map((message) => ({
      topic,
      partition,
      offset: Number(message.offset),
      timestamp: Number(message.timestamp),
      key: message.key === null ? null : message.key.toString(),
      value: message.value,
      headers: headerText(message.headers),
      receivedAt,
    }));
    if (records.length === 0) return;
    let output: O | undefined;
    try {
      if (guarantee === 'exactly-once') {
        const {producer, fresh} = await this.partitionProducer(partition);
        if (fresh) {
          // After fencing the previous owner: its last commit is final and visible now.
          const committed = await this.committedOffset(partition);
          const fetched = Number((batch as {fetchedOffset?: string}).fetchedOffset ?? NaN);
          if (committed !== undefined && committed < fetched) {
            this.options.seek(partition, committed);
            return;
          }
          if (committed !== undefined) records = records.filter((r) => r.offset >= committed);
          if (records.length === 0) {
            this.options.seek(partition, committed!);
            return;
          }
        }
        output = handler.process(records);
        await this.transact(producer, output.messages, partition, records.at(-1)!.offset + 1);
      } else {
        output = handler.process(records);
        const producer = await this.shared.get();
        for (const chunk of chunks(output.messages)) {
          await producer.sendBatch({topicMessages: byTopic(chunk)});
        }
        // Through the batch's own commit: consumer.commitOffsets() silently skips the commit
        // once a stop has begun, and the batch in hand must still be committed then.
        await commitOffsetsIfNecessary({
          topics: [{topic, partitions: [{partition, offset: String(records.at(-1)!.offset + 1)}]}],
        });
      }
      resolveOffset(String(records.at(-1)!.offset));
      handler.committed(records, output);
      const back = watch.back(topicsOf(output), 'the requests held back for it are answered');
      if (this.failures > 0 && !back) {
        this.options.warn(`batches commit again after ${this.failures} failed attempt(s)`);
      }
      this.failures = 0;
    } catch (error) {
      handler.failed?.(records, error);
      if (guarantee === 'exactly-once') void this.dropProducer(partition);
      // Fetched again from its first offset, by us or by the partition's next owner.
      this.options.seek(partition, records[0]!.offset);
      this.failures += 1;
      const where = `${topic}/${partition}@${records[0]!.offset}`;
      const then = `requests from ${where} on wait for it (nothing is committed or lost meanwhile)`;
      const missing = await watch.missing(error, topicsOf(output), then);
      if (this.failures === 1 && missing.length === 0) {
        this.options.warn(
          `a batch of ${records.length} requests from ${where} was not committed ` +
            `(${describeError(error)}); it will be processed again`,
        );
      }
      if (!isRunning()) return;
      await pause(backoff(BATCH_BACKOFF, this.failures - 1));
    }
  }

  /** After a group (re)join: every partition starts over with a fresh producer. */
  restart(): void {
    for (const partition of [...this.producers.keys()]) void this.dropProducer(partition);
  }

  async close(): Promise<void> {
    await Promise.all([
      ...[...this.producers.keys()].map((partition) => this.dropProducer(partition)),
      this.shared.close((producer) => producer.disconnect()),
    ]);
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
    const {groupId, topic} = this.options;
    await retry(
      () =>
        transaction.sendOffsets({
          consumerGroupId: groupId,
          topics: [{topic, partitions: [{partition, offset: String(nextOffset)}]}],
        }),
      {...OFFSETS_RETRY, shouldRetry: (error) => hasErrorType(error, 'CONCURRENT_TRANSACTIONS')},
    );
  }

  /** The group's committed offset for a partition (the next one to answer), if any. */
  private async committedOffset(partition: number): Promise<number | undefined> {
    const {admin, groupId, topic} = this.options;
    try {
      const [offsets] = await (await admin.get()).fetchOffsets({groupId, topics: [topic]});
      const offset = Number(
        offsets?.partitions.find((p) => p.partition === partition)?.offset ?? -1,
      );
      return offset >= 0 ? offset : undefined;
    } catch (error) {
      void admin.close((a) => a.disconnect());
      throw error;
    }
  }

  /** The partition's transactional producer; `fresh` when it was just initialised (and fenced its id). */
  private async partitionProducer(
    partition: number,
  ): Promise<{producer: Producer; fresh: boolean}> {
    let entry = this.producers.get(partition);
    if (!entry) {
      const {groupId, topic} = this.options;
      const id = `wine-tui-serve-${groupId}-${topic}-${partition}`;
      entry = {producer: new Lazy(() => this.connectProducer(id)), checked: false};
      this.producers.set(partition, entry);
    }
    const producer = await entry.producer.get();
    const fresh = !entry.checked;
    entry.checked = true;
    return {producer, fresh};
  }

  private async connectProducer(transactionalId: string | undefined): Promise<Producer> {
    const {lib, kafka} = await this.options.client.get();
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
    const entry = this.producers.get(partition);
    this.producers.delete(partition);
    await entry?.producer.close((producer) => producer.disconnect());
  }
}
