/**
 * The bare kafkajs relays bench/serve.ts measures serve against, run as child processes like the
 * service: `tsx bench/serve/relay.ts MODE BROKERS IN OUT GROUP`. No model, no JSON: each input
 * message is copied to the output topic.
 *
 * - `plain`: idempotent producer, offsets committed after each batch (no transactions).
 * - `eos`: the floor for exactly-once with kafkajs at its best settings: a transactional producer
 *   per input partition (kafkajs has no KIP-447 fencing), one transaction per batch holding the
 *   copies and the offsets, CONCURRENT_TRANSACTIONS retried after milliseconds, all partitions
 *   processed at once.
 */
import '../../test/support/kafkajsFilter.js';
import {Partitioners, type Message, type Producer} from 'kafkajs';
import {kafkaClient} from '../../test/support/kafka.js';

export const RELAY = {
  maxWaitTimeInMs: Number(process.env.BENCH_RELAY_MAX_WAIT_MS ?? 100),
  concurrency: 4,
  sessionTimeout: 10_000,
  chunkBytes: 512 * 1024,
};
const PRODUCER_RETRY = {retries: 15, initialRetryTime: 3, maxRetryTime: 500, multiplier: 1.5};

async function relay(
  mode: 'plain' | 'eos',
  brokers: string[],
  input: string,
  output: string,
  groupId: string,
): Promise<void> {
  const kafka = kafkaClient(brokers);
  const newProducer = async (transactionalId?: string) => {
    const producer = kafka.producer({
      ...(transactionalId ? {transactionalId} : {}),
      idempotent: true,
      maxInFlightRequests: 1,
      retry: PRODUCER_RETRY,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    return producer;
  };
  const shared = mode === 'plain' ? await newProducer() : undefined;
  const perPartition = new Map<number, Promise<Producer>>();
  const producerFor = (partition: number) => {
    let producer = perPartition.get(partition);
    if (!producer) {
      producer = newProducer(`bench-relay-${groupId}-${partition}`);
      perPartition.set(partition, producer);
    }
    return producer;
  };
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: RELAY.maxWaitTimeInMs,
    sessionTimeout: RELAY.sessionTimeout,
    heartbeatInterval: 1_000,
    readUncommitted: false,
  });
  await consumer.connect();
  await consumer.subscribe({topic: input, fromBeginning: true});
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: RELAY.concurrency,
    eachBatch: async ({batch, resolveOffset}) => {
      if (batch.messages.length === 0) return;
      const chunks: Message[][] = [[]];
      let bytes = 0;
      for (const m of batch.messages) {
        const size = (m.value?.length ?? 0) + 64;
        if (bytes + size > RELAY.chunkBytes) {
          chunks.push([]);
          bytes = 0;
        }
        chunks.at(-1)!.push({key: m.key, value: m.value});
        bytes += size;
      }
      const last = batch.messages.at(-1)!.offset;
      const next = String(BigInt(last) + 1n);
      if (shared) {
        for (const messages of chunks)
          await shared.sendBatch({topicMessages: [{topic: output, messages}]});
        await consumer.commitOffsets([{topic: input, partition: batch.partition, offset: next}]);
      } else {
        const transaction = await (await producerFor(batch.partition)).transaction();
        for (const messages of chunks)
          await transaction.sendBatch({topicMessages: [{topic: output, messages}]});
        await transaction.sendOffsets({
          consumerGroupId: groupId,
          topics: [{topic: input, partitions: [{partition: batch.partition, offset: next}]}],
        });
        await transaction.commit();
      }
      resolveOffset(last);
    },
  });
  process.stderr.write('relay: consuming\n');
  await new Promise<void>((resolve) => process.once('SIGTERM', resolve));
  await consumer.disconnect();
  await shared?.disconnect();
  for (const producer of perPartition.values()) await (await producer).disconnect();
}

const [mode, brokers, input, output, group] = process.argv.slice(2);
if (mode !== 'plain' && mode !== 'eos')
  throw new Error('usage: relay.ts plain|eos BROKERS IN OUT GROUP');
await relay(mode, brokers!.split(','), input!, output!, group!);
process.exit(0);
