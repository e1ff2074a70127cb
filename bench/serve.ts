/**
 * Predictor service benchmark against a real broker and MinIO: `npx tsx bench/serve.ts`.
 *
 * 1. Throughput: the same N requests (default 100,000; BENCH_REQUESTS) already on a 3-partition
 *    topic go through `wine-tui serve` (transactions on), `wine-tui serve --at-least-once`, and a
 *    bare kafkajs consume->produce relay (same consumer and batch settings, no model, no
 *    transactions, offsets committed after each batch). Rate: the outputs that became visible to a
 *    read_committed consumer after the first ones did, over the time that took; start-up (group
 *    join, model load) is left out of all three. Wall time from process start is shown too.
 * 2. Latency: requests produced at 1,000/s (BENCH_RATE) for BENCH_SECONDS (20) to a running
 *    service; p50/p99 from just before the request's produce call to its prediction reaching a
 *    read_committed consumer (both in this process, one clock).
 *
 * Targets: WINE_TUI_TEST_KAFKA_BROKERS / WINE_TUI_TEST_S3_* (as for the integration tests, e.g.
 * eval "$(bash scripts/services.sh test-env)"), else the stack's default ports.
 */
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {Partitioners, type Message} from 'kafkajs';
import {createTopics, kafkaClient, produce, withAdmin} from '../test/support/kafka.js';
import {awsEnv, createBucket} from '../test/support/s3.js';
import {publishModel} from '../test/support/serve/models.js';
import {ServeProcess} from '../test/support/serve/process.js';
import {goodRequest} from '../test/support/serve/requests.js';
import {uniqueTopics, writeConfigDir, type ServeTopics} from '../test/support/serve/topics.js';
import {kafkaTarget, s3Target, type S3Target} from '../test/support/services.js';

// The AWS SDK warns that its 2027 releases need Node 22; noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const N = Number(process.env.BENCH_REQUESTS ?? 100_000);
const RATE = Number(process.env.BENCH_RATE ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const PARTITIONS = 3;
const TIMEOUT_MS = 10 * 60_000;

// Same consumer and batch settings as KafkaRequestStream.
const RELAY = {
  maxWaitTimeInMs: 250,
  concurrency: 4,
  sessionTimeout: 10_000,
  chunkBytes: 512 * 1024,
};

const brokers = kafkaTarget()?.brokers ?? ['127.0.0.1:29092'];
const s3: S3Target = s3Target() ?? {
  endpoint: 'http://127.0.0.1:29000',
  region: 'us-east-1',
  accessKeyId: 'winetui',
  secretAccessKey: 'winetui-secret-key',
};

/** The bare relay, run as a child process like the service: `serve.ts relay IN OUT GROUP`. */
async function relay(input: string, output: string, groupId: string): Promise<void> {
  const kafka = kafkaClient(brokers);
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: RELAY.maxWaitTimeInMs,
    sessionTimeout: RELAY.sessionTimeout,
    heartbeatInterval: 1_000,
  });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({topic: input, fromBeginning: true});
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: RELAY.concurrency,
    eachBatch: async ({batch, resolveOffset}) => {
      if (batch.messages.length === 0) return;
      let chunk: Message[] = [];
      let bytes = 0;
      const flush = async () => {
        if (chunk.length > 0)
          await producer.sendBatch({topicMessages: [{topic: output, messages: chunk}]});
        chunk = [];
        bytes = 0;
      };
      for (const m of batch.messages) {
        const size = (m.value?.length ?? 0) + 64;
        if (bytes + size > RELAY.chunkBytes) await flush();
        chunk.push({key: m.key, value: m.value});
        bytes += size;
      }
      await flush();
      const last = batch.messages.at(-1)!.offset;
      await consumer.commitOffsets([
        {topic: input, partition: batch.partition, offset: String(BigInt(last) + 1n)},
      ]);
      resolveOffset(last);
    },
  });
  process.stderr.write('relay: consuming\n');
  await new Promise<void>((resolve) => process.once('SIGTERM', resolve));
  await consumer.disconnect();
  await producer.disconnect();
}

interface Watch {
  /** Resolves when `expected` distinct keys were seen (or rejects on timeout). */
  done: Promise<void>;
  first: number;
  /** Outputs already visible at `first` (a whole first commit becomes visible at once). */
  firstCount: number;
  last: number;
  count: number;
  latencies: number[];
  close(): Promise<void>;
}

/** A read_committed consumer timing when outputs become visible; latency against `sentAt`. */
async function watch(
  topic: string,
  expected: number,
  sentAt?: Map<string, number>,
): Promise<Watch> {
  const consumer = kafkaClient(brokers).consumer({
    groupId: `bench-reader-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  const seen = new Set<string>();
  let resolveDone!: () => void;
  const state: Watch = {
    done: new Promise<void>((resolve) => (resolveDone = resolve)),
    first: 0,
    firstCount: 0,
    last: 0,
    count: 0,
    latencies: [],
    close: async () => consumer.disconnect(),
  };
  await consumer.connect();
  await consumer.subscribe({topic, fromBeginning: true});
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({batch}) => {
      const now = performance.now();
      for (const m of batch.messages) {
        const key = m.key?.toString() ?? '';
        if (seen.has(key)) continue;
        seen.add(key);
        const sent = sentAt?.get(key);
        if (sent !== undefined) state.latencies.push(now - sent);
      }
      if (state.first === 0) {
        state.first = now;
        state.firstCount = seen.size;
      }
      state.last = now;
      state.count = seen.size;
      if (seen.size >= expected) resolveDone();
    },
  });
  return state;
}

function bounded<T>(promise: Promise<T>, what: string, ms = TIMEOUT_MS): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: timed out`)), ms).unref(),
    ),
  ]);
}

async function freshTopics(prefix: string): Promise<ServeTopics> {
  const topics = uniqueTopics(prefix);
  await createTopics(brokers, [
    {topic: topics.requests, numPartitions: PARTITIONS},
    {topic: topics.predictions, numPartitions: PARTITIONS},
    {topic: topics.deadLetters, numPartitions: 1},
  ]);
  return topics;
}

const requestMessages = (prefix: string, count: number): Message[] =>
  Array.from({length: count}, (_, i) => ({
    key: `${prefix}-${i}`,
    value: JSON.stringify(goodRequest(`${prefix}-${i}`, i)),
  }));

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

async function main(): Promise<void> {
  const created: string[] = [];
  const dirs: string[] = [];
  const configFor = (topics: ServeTopics, bucket: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wine-tui-bench-'));
    dirs.push(dir);
    return writeConfigDir(dir, {brokers, topics, s3, bucket});
  };
  console.log(
    `brokers ${brokers.join(',')}, S3 ${s3.endpoint}; ${N} requests, ${PARTITIONS} partitions`,
  );
  const bucket = `wine-tui-bench-${Date.now().toString(36)}`;
  await createBucket(s3, bucket);
  const train = uniqueTopics('bench-model').train;
  await createTopics(brokers, [{topic: train, numPartitions: 1}]);
  created.push(train);
  const model = await publishModel({brokers, s3, bucket, trainTopic: train});
  console.log(`model ${model.version}`);

  try {
    const results: Array<{name: string; rate: number; seconds: number; wall: number}> = [];
    const measure = (name: string, reader: Watch, spawned: number) => {
      const seconds = (reader.last - reader.first) / 1000;
      results.push({
        name,
        rate: (N - reader.firstCount) / seconds,
        seconds,
        wall: (reader.last - spawned) / 1000,
      });
    };

    const runService = async (name: string, extra: string[]) => {
      const topics = {...(await freshTopics(`bench-${name}`)), train};
      created.push(topics.requests, topics.predictions, topics.deadLetters);
      await produce(brokers, topics.requests, requestMessages('t', N), {chunk: 2_000});
      const reader = await watch(topics.predictions, N);
      const spawned = performance.now();
      const serve = new ServeProcess(
        [
          '--config-dir',
          configFor(topics, bucket),
          '--group',
          `bench-${name}-${Date.now()}`,
          '--json',
          ...extra,
        ],
        awsEnv(s3),
      );
      try {
        await bounded(reader.done, name);
        measure(name, reader, spawned);
      } finally {
        await serve.stop('SIGTERM');
        await reader.close();
      }
      const final = serve.lines.find((line) => line.includes('"event":"final"'));
      console.log(`${name}: service's own figures: ${final ?? '(none)'}`);
    };

    await runService('serve-exactly-once', []);
    await runService('serve-at-least-once', ['--at-least-once']);

    {
      const topics = await freshTopics('bench-relay');
      created.push(topics.requests, topics.predictions, topics.deadLetters);
      await produce(brokers, topics.requests, requestMessages('t', N), {chunk: 2_000});
      const reader = await watch(topics.predictions, N);
      const spawned = performance.now();
      const child = spawn(
        process.execPath,
        [
          ...process.execArgv,
          fileURLToPath(import.meta.url),
          'relay',
          topics.requests,
          topics.predictions,
          `bench-relay-${Date.now()}`,
        ],
        {stdio: ['ignore', 'inherit', 'inherit'], env: process.env},
      );
      try {
        await bounded(reader.done, 'relay');
        measure('bare relay', reader, spawned);
      } finally {
        child.kill('SIGTERM');
        await reader.close();
      }
    }

    console.log('\nThroughput (requests/s while outputs became visible to read_committed):');
    for (const r of results) {
      console.log(
        `  ${r.name.padEnd(22)} ${r.rate.toFixed(0).padStart(8)} /s  (${r.seconds.toFixed(2)} s; ` +
          `${r.wall.toFixed(2)} s from process start to the last output)`,
      );
    }
    const relayRate = results.find((r) => r.name === 'bare relay')!.rate;
    const serveRate = results.find((r) => r.name === 'serve-exactly-once')!.rate;
    console.log(
      `  ratio serve (transactions) / relay: ${(serveRate / relayRate).toFixed(2)} (goal >= 0.6)`,
    );

    // Latency at a steady rate.
    const topics = {...(await freshTopics('bench-latency')), train};
    created.push(topics.requests, topics.predictions, topics.deadLetters);
    const total = RATE * SECONDS;
    const sentAt = new Map<string, number>();
    const reader = await watch(topics.predictions, total + 100, sentAt);
    const serve = new ServeProcess(
      ['--config-dir', configFor(topics, bucket), '--json'],
      awsEnv(s3),
    );
    try {
      // Warm-up: the first batch pays for the transactional producers' initialisation.
      await produce(brokers, topics.requests, requestMessages('warm', 100));
      const warmDeadline = Date.now() + 60_000;
      while (reader.count < 100 && Date.now() < warmDeadline)
        await new Promise((r) => setTimeout(r, 50));
      const producer = kafkaClient(brokers).producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
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
          const key = `lat-${sent}`;
          messages.push({key, value: JSON.stringify(goodRequest(key, sent))});
          sentAt.set(key, performance.now());
        }
        if (messages.length > 0) await producer.send({topic: topics.requests, messages});
        await new Promise((r) => setTimeout(r, tickMs));
      }
      const produceSeconds = (performance.now() - start) / 1000;
      await producer.disconnect();
      await bounded(reader.done, 'latency run', 120_000);
      const sorted = [...reader.latencies].sort((a, b) => a - b);
      console.log(
        `\nLatency at ${(total / produceSeconds).toFixed(0)} requests/s for ${produceSeconds.toFixed(1)} s ` +
          `(${sorted.length} requests, produce call -> visible to read_committed):`,
      );
      console.log(
        `  p50 ${quantile(sorted, 0.5).toFixed(1)} ms, p90 ${quantile(sorted, 0.9).toFixed(1)} ms, ` +
          `p99 ${quantile(sorted, 0.99).toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms (goal p99 < 50 ms)`,
      );
    } finally {
      await serve.stop('SIGTERM');
      await reader.close();
    }
    const final = serve.lines.find((line) => line.includes('"event":"final"'));
    console.log(`  service's own figures (arrival -> commit): ${final ?? '(none)'}`);
  } finally {
    await withAdmin(brokers, (admin) => admin.deleteTopics({topics: created})).catch(() => {});
    for (const dir of dirs) rmSync(dir, {recursive: true, force: true});
  }
}

if (process.argv[2] === 'relay') {
  await relay(process.argv[3]!, process.argv[4]!, process.argv[5]!);
} else {
  await main();
  process.exit(0);
}
