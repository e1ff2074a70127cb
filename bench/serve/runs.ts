/**
 * bench/serve.ts's two measurements of one contender, each on fresh topics: throughput over N
 * requests already waiting, and latency at a steady rate.
 */
import {Partitioners, type Message} from 'kafkajs';
import {createTopics, kafkaClient, produce} from '../../test/support/kafka.js';
import type {RunningProcess} from '../../test/support/process.js';
import {goodRequest} from '../../test/support/serve/requests.js';
import {uniqueTopics, type ServeTopics} from '../../test/support/serve/topics.js';
import {bounded, watch} from './watch.js';

export const N = Number(process.env.BENCH_REQUESTS ?? 100_000);
export const RATE = Number(process.env.BENCH_RATE ?? 1_000);
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
export const PARTITIONS = 3;
const TIMEOUT_MS = 10 * 60_000;

export interface Contender {
  name: string;
  /** Measured for latency too (exactly-once). */
  eos: boolean;
  start(topics: ServeTopics, group: string): RunningProcess;
}

/** Topics made for the runs, to delete at the end. */
export const created: string[] = [];

async function freshTopics(brokers: string[], prefix: string, train: string): Promise<ServeTopics> {
  const topics = {...uniqueTopics(prefix), train};
  await createTopics(brokers, [
    {topic: topics.requests, numPartitions: PARTITIONS},
    {topic: topics.predictions, numPartitions: PARTITIONS},
    {topic: topics.deadLetters, numPartitions: 1},
  ]);
  created.push(topics.requests, topics.predictions, topics.deadLetters);
  return topics;
}

const request = (key: string, i: number): Message => ({
  key,
  value: JSON.stringify(goodRequest(key, i)),
});
const slug = (name: string) => name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
const unique = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

/** Outputs per second once the first ones were visible. */
export async function throughput(
  brokers: string[],
  contender: Contender,
  train: string,
): Promise<number> {
  const topics = await freshTopics(brokers, `bench-${slug(contender.name)}`, train);
  await produce(
    brokers,
    topics.requests,
    Array.from({length: N}, (_, i) => request(`t-${i}`, i)),
    {chunk: 2_000},
  );
  const reader = await watch(brokers, topics.predictions, PARTITIONS, N);
  const child = contender.start(topics, `bench-${slug(contender.name)}-${unique()}`);
  try {
    await bounded(reader.done, contender.name, TIMEOUT_MS);
    return (N - reader.firstCount) / ((reader.last - reader.first) / 1000);
  } finally {
    await child.stop('SIGTERM');
    await reader.close();
  }
}

/** The reader alone on a topic already full: the most the throughput runs can show. */
export async function readerCeiling(brokers: string[], train: string): Promise<number> {
  const topics = await freshTopics(brokers, 'bench-reader', train);
  await produce(
    brokers,
    topics.requests,
    Array.from({length: N}, (_, i) => request(`t-${i}`, i)),
    {chunk: 2_000},
  );
  const reader = await watch(brokers, topics.requests, PARTITIONS, N);
  try {
    await bounded(reader.done, 'reader', TIMEOUT_MS);
    // All of it is there from the start: from the first fetch on, not from the first batch.
    return N / ((reader.last - reader.started) / 1000);
  } finally {
    await reader.close();
  }
}

/**
 * Latencies (ms) at RATE requests/s, produce call -> visible to read_committed; and the service's
 * own final line (serve: arrival -> commit), to tell its share from fetching and reading.
 */
export async function latency(
  brokers: string[],
  contender: Contender,
  train: string,
): Promise<{sorted: number[]; own: string | undefined}> {
  const topics = await freshTopics(brokers, `bench-lat-${slug(contender.name)}`, train);
  const total = RATE * SECONDS;
  const sentAt = new Map<string, number>();
  const reader = await watch(brokers, topics.predictions, PARTITIONS, total + 100, sentAt);
  const child = contender.start(topics, `bench-lat-${slug(contender.name)}-${unique()}`);
  const producer = kafkaClient(brokers).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  try {
    // Warm-up: the first batches pay for group join and the transactional producers' start.
    const warm = Array.from({length: 100}, (_, i) => request(`warm-${i}`, i));
    await produce(brokers, topics.requests, warm);
    const warmDeadline = Date.now() + 60_000;
    while (reader.count < 100 && Date.now() < warmDeadline)
      await new Promise((r) => setTimeout(r, 50));
    await producer.connect();
    const tickMs = 10;
    const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
    const start = performance.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(
        total,
        Math.floor(((performance.now() - start) / 1000) * RATE) + perTick,
      );
      const messages: Message[] = [];
      for (; sent < due; sent++) {
        messages.push(request(`lat-${sent}`, sent));
        sentAt.set(`lat-${sent}`, performance.now());
      }
      if (messages.length > 0) await producer.send({topic: topics.requests, messages});
      await new Promise((r) => setTimeout(r, tickMs));
    }
    await bounded(reader.done, `${contender.name} latency run`, 120_000);
  } finally {
    await producer.disconnect();
    await child.stop('SIGTERM');
    await reader.close();
  }
  const final = child.lines.find((line) => line.includes('"event":"final"'));
  const own = final && (JSON.parse(final) as {p50_ms: number; p99_ms: number});
  return {
    sorted: reader.latencies.sort((a, b) => a - b),
    own: own ? `; its own arrival -> commit p50 ${own.p50_ms} ms, p99 ${own.p99_ms} ms` : undefined,
  };
}
