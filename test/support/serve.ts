/**
 * Helpers for the `wine-tui serve` integration tests and bench/serve.ts: a model published to a
 * real broker and MinIO, the built CLI run as a child process, requests produced and predictions
 * read back with a read_committed consumer. No mocks: everything talks to 127.0.0.1.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {Kafka, logLevel, Partitioners, type Admin, type Message, type Producer} from 'kafkajs';
import {KafkaBus} from '../../source/services/kafka/KafkaBus.js';
import {
  ModelRegistry,
  type PublishedVersion,
} from '../../source/services/registry/ModelRegistry.js';
import {summaryOf, trainModel} from '../../source/services/app/modelWorkflow.js';
import {S3ModelStore} from '../../source/services/s3/S3ModelStore.js';
import type {S3Target} from './services.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const cliPath = path.join(repoRoot, 'dist', 'cli.js');

export interface ServeTopics {
  train: string;
  requests: string;
  predictions: string;
  deadLetters: string;
}

export function uniqueTopics(prefix: string): ServeTopics {
  const id = `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    train: `${id}.train`,
    requests: `${id}.requests`,
    predictions: `${id}.predictions`,
    deadLetters: `${id}.dlq`,
  };
}

/** A config folder pointing wine-tui at these brokers, topics and bucket. */
export function writeConfigDir(
  dir: string,
  {
    brokers,
    topics,
    s3,
    bucket,
  }: {brokers: string[]; topics: ServeTopics; s3: S3Target; bucket: string},
): string {
  mkdirSync(dir, {recursive: true});
  writeFileSync(
    path.join(dir, 'kafka_config.yaml'),
    [
      `bootstrap.servers: '${brokers.join(',')}'`,
      'group.id: wine-tui-serve-test',
      'auto.offset.reset: earliest',
      'topics:',
      `  train: '${topics.train}'`,
      `  app_messages: '${topics.predictions}'`,
      `  requests: '${topics.requests}'`,
      `  dead_letters: '${topics.deadLetters}'`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 's3_config.yaml'),
    [
      `endpoint: '${s3.endpoint}'`,
      `region: ${s3.region}`,
      `bucket: ${bucket}`,
      'path_style: true',
      '',
    ].join('\n'),
  );
  return dir;
}

/** Environment for a child wine-tui: S3 credentials, nothing pointing at another stack. */
export function childEnv(s3: S3Target, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('WINE_TUI_') && !k.startsWith('AWS_'),
    ),
  );
  return {
    ...base,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_REGION: s3.region,
    ...extra,
  };
}

export function kafkaClient(brokers: string[]): Kafka {
  return new Kafka({
    clientId: 'wine-tui-serve-test',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: {retries: 8, initialRetryTime: 200, maxRetryTime: 3_000},
  });
}

export async function createTopics(
  brokers: string[],
  topics: Array<{
    topic: string;
    numPartitions?: number;
    configEntries?: Array<{name: string; value: string}>;
  }>,
): Promise<void> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({topics, waitForLeaders: true});
  } finally {
    await admin.disconnect();
  }
}

export {createBucket} from './s3.js';

/** Trains a small, fast model and publishes it (upload + announcement), as `train --publish` does. */
export async function publishModel({
  brokers,
  s3,
  bucket,
  trainTopic,
  seed = 42,
}: {
  brokers: string[];
  s3: S3Target;
  bucket: string;
  trainTopic: string;
  seed?: number;
}): Promise<PublishedVersion> {
  const bus = new KafkaBus({
    brokers,
    clientId: 'wine-tui-serve-test',
    ssl: false,
    groupId: 'wine-tui-serve-test',
    autoOffsetReset: 'earliest',
  });
  const store = new S3ModelStore({
    endpoint: s3.endpoint,
    region: s3.region,
    bucket,
    prefix: 'models/',
    forcePathStyle: true,
    credentials: {accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey},
  });
  try {
    const registry = new ModelRegistry({bus, store, topic: trainTopic, prefix: 'models/'});
    const trained = await trainModel({
      features: ['region', 'type', 'rating', 'body'],
      minCount: 3,
      seed,
    });
    return await registry.publish(trained.bytes, summaryOf(trained.artifact));
  } finally {
    await Promise.allSettled([bus.close(), store.close()]);
  }
}

const WINERIES = ['Vega Sicilia', 'Bodegas Muga', 'La Rioja Alta', 'Pingus', 'Contino', 'Artadi'];
const REGIONS = ['Ribera del Duero', 'Rioja', 'Priorato', 'Toro', 'Rias Baixas'];
const TYPES = ['Ribera Del Duero Red', 'Rioja Red', 'Priorat Red', 'Toro Red', 'Albarino'];

/** A valid request; every few use the flat form (wine fields beside request_id). */
export function goodRequest(id: string, index: number): Record<string, unknown> {
  const wine = {
    winery: WINERIES[index % WINERIES.length],
    wine: `Cuvee ${index % 97}`,
    year: 1990 + (index % 30),
    region: REGIONS[index % REGIONS.length],
    type: TYPES[index % TYPES.length],
    rating: 4 + (index % 10) / 10,
    body: 1 + (index % 5),
  };
  return index % 5 === 0 ? {request_id: id, ...wine} : {request_id: id, input: wine};
}

export interface BadRequest {
  /** Identifies the request in the DLQ: its message key. */
  key: string;
  value: Buffer | null;
  /** A piece of the reason the dead letter must carry. */
  reason: string;
}

/** One of each kind of bad request, keyed so that their dead letters can be found. */
export function badRequests(tag: string): BadRequest[] {
  const wine = goodRequest('x', 1).input as Record<string, unknown>;
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  return [
    {key: `${tag}-not-json`, value: Buffer.from('this is not json'), reason: 'not JSON'},
    {key: `${tag}-array`, value: json([1, 2, 3]), reason: 'must be a JSON object'},
    {key: `${tag}-null`, value: null, reason: 'no value'},
    {key: `${tag}-empty`, value: Buffer.alloc(0), reason: 'empty'},
    {key: `${tag}-utf8`, value: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), reason: 'not UTF-8'},
    {key: `${tag}-no-id`, value: json({input: wine}), reason: 'request_id is required'},
    {
      key: `${tag}-id-type`,
      value: json({request_id: 42, input: wine}),
      reason: 'request_id must be text',
    },
    {
      key: `${tag}-rating-type`,
      value: json({request_id: `${tag}-rating-type`, input: {...wine, rating: 'excellent'}}),
      reason: 'rating must be a number',
    },
    {
      key: `${tag}-rating-range`,
      value: json({request_id: `${tag}-rating-range`, input: {...wine, rating: 7}}),
      reason: 'rating must be a number from 0 to 5 (got 7)',
    },
    {
      key: `${tag}-year-range`,
      value: json({request_id: `${tag}-year-range`, input: {...wine, year: 1700}}),
      reason: 'year must be',
    },
    {
      key: `${tag}-missing`,
      value: json({request_id: `${tag}-missing`, input: {winery: 'Pingus'}}),
      reason: 'wine is required',
    },
    {
      key: `${tag}-huge`,
      // 5 MB: more than the broker's default message limit, so the topic is created to allow it.
      value: json({request_id: `${tag}-huge`, input: {...wine, wine: 'x'.repeat(5 * 1024 * 1024)}}),
      reason: 'at most 65536 are accepted',
    },
  ];
}

/** Requests topic config that lets a 5 MB bad request in, as a misbehaving client could. */
export const LARGE_MESSAGES = [{name: 'max.message.bytes', value: String(8 * 1024 * 1024)}];

export async function openProducer(brokers: string[]): Promise<Producer> {
  const producer = kafkaClient(brokers).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  return producer;
}

/** Produces messages in chunks (one request per chunk), acked by all replicas. */
export async function produce(
  brokers: string[] | Producer,
  topic: string,
  messages: Message[],
  {chunk = 500}: {chunk?: number} = {},
): Promise<void> {
  const producer = Array.isArray(brokers) ? await openProducer(brokers) : brokers;
  try {
    for (let i = 0; i < messages.length; i += chunk) {
      await producer.send({topic, messages: messages.slice(i, i + chunk)});
    }
  } finally {
    if (Array.isArray(brokers)) await producer.disconnect();
  }
}

export interface ReadMessage {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/**
 * Reads a topic from the start with a read_committed consumer until `expected` messages arrived
 * and then nothing more for `settleMs` (so duplicates arriving late are caught too), or until
 * `timeoutMs`. Returns what it read.
 */
export async function readCommitted(
  brokers: string[],
  topic: string,
  {
    expected,
    timeoutMs = 60_000,
    settleMs = 3_000,
  }: {expected: number; timeoutMs?: number; settleMs?: number},
): Promise<ReadMessage[]> {
  const consumer = kafkaClient(brokers).consumer({
    groupId: `wine-tui-serve-test-reader-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    readUncommitted: false,
    maxWaitTimeInMs: 200,
  });
  const messages: ReadMessage[] = [];
  let last = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({topic, fromBeginning: true});
    await consumer.run({
      eachBatch: async ({batch}) => {
        for (const m of batch.messages) {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(m.headers ?? {})) {
            if (value !== undefined)
              headers[name] = String(Array.isArray(value) ? value.at(-1) : value);
          }
          messages.push({
            key: m.key?.toString() ?? null,
            value: m.value,
            headers,
            partition: batch.partition,
            offset: m.offset,
          });
        }
        last = Date.now();
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (messages.length >= expected && Date.now() - last >= settleMs) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

export async function withAdmin<T>(
  brokers: string[],
  run: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    return await run(admin);
  } finally {
    await admin.disconnect();
  }
}

/** A running `wine-tui serve`; its output lines are kept for assertions and shown on failure. */
export class ServeProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
  private waiters: Array<() => void> = [];

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [cliPath, 'serve', ...args], {
      env,
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (stream: NodeJS.ReadableStream | null) => {
      let rest = '';
      stream?.on('data', (chunk: Buffer) => {
        const parts = (rest + chunk.toString()).split('\n');
        rest = parts.pop() ?? '';
        this.lines.push(...parts);
        for (const wake of this.waiters.splice(0)) wake();
      });
    };
    collect(this.child.stdout);
    collect(this.child.stderr);
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        for (const wake of this.waiters.splice(0)) wake();
        resolve({code, signal});
      }),
    );
  }

  get output(): string {
    return this.lines.join('\n');
  }

  /** Waits for an output line matching `pattern`; rejects (with the output) after timeoutMs. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find((l) => pattern.test(l));
      if (line) return line;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`serve exited before printing ${pattern}:\n${this.output}`);
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`serve did not print ${pattern} in ${timeoutMs} ms:\n${this.output}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1_000));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a signal and waits (bounded) for the exit; SIGKILL if it does not come. */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
    timeoutMs = 45_000,
  ): Promise<{code: number | null; signal: NodeJS.Signals | null}> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Requests a group has answered: the sum of its committed offsets on the topic. */
export async function answered(brokers: string[], groupId: string, topic: string): Promise<number> {
  return withAdmin(brokers, async (admin) => {
    const [offsets] = await admin.fetchOffsets({groupId, topics: [topic]});
    return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  });
}

/** Waits (bounded) until check() holds, polling every `everyMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  {timeoutMs = 60_000, everyMs = 250}: {timeoutMs?: number; everyMs?: number} = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // Not reachable right now (e.g. a broker restarting): try again.
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** How many messages each key has. */
export function countByKey(messages: ReadMessage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m.key ?? '', (counts.get(m.key ?? '') ?? 0) + 1);
  return counts;
}

/**
 * Reads back every request and every prediction (read_committed) and compares them per request
 * id: exactly-once means the same ids with the same multiplicity on both sides.
 */
export async function compareAnswers(
  brokers: string[],
  topics: ServeTopics,
  expected: number,
): Promise<{requests: number; predictions: number; missing: string[]; repeated: string[]}> {
  const [asked, answers] = await Promise.all([
    readCommitted(brokers, topics.requests, {expected, timeoutMs: 60_000, settleMs: 1_000}),
    readCommitted(brokers, topics.predictions, {expected, timeoutMs: 60_000}),
  ]);
  const askedById = countByKey(asked);
  const answeredById = countByKey(answers);
  return {
    requests: asked.length,
    predictions: answers.length,
    missing: [...askedById.keys()].filter((id) => !answeredById.has(id)),
    repeated: [...answeredById].filter(([id, n]) => n > (askedById.get(id) ?? 0)).map(([id]) => id),
  };
}
