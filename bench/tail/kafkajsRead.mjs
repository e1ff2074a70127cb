// The kafkajs floor for bench/tail.ts: `node bench/tail/kafkajsRead.mjs BROKERS TOPIC N [FETCH_KB]`
// reads N messages from the beginning with the consumer settings of wine-tui tail (KafkaTail:
// a throwaway group, 512 KiB fetches, 256 KiB per partition) and prints nothing. Plain JavaScript
// run by node, so that it starts like the built CLI does.
import {createRequire} from 'node:module';
import process from 'node:process';

const {Kafka, logLevel} = createRequire(import.meta.url)('kafkajs');
const [brokers, topic, count, fetchKb = '512'] = process.argv.slice(2);
const max = Number(count);
const kafka = new Kafka({
  brokers: brokers.split(','),
  clientId: 'bench-read',
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({
  groupId: `bench-read-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  maxWaitTimeInMs: 500,
  maxBytesPerPartition: (Number(fetchKb) / 2) * 1024,
  maxBytes: Number(fetchKb) * 1024,
});
let seen = 0;
let finish;
const done = new Promise((resolve) => (finish = resolve));
await consumer.connect();
await consumer.subscribe({topic, fromBeginning: true});
await consumer.run({
  autoCommit: false,
  eachBatch: async ({batch}) => {
    seen += batch.messages.length;
    if (seen >= max) finish();
  },
});
await done;
await consumer.disconnect();
process.exit(0);
