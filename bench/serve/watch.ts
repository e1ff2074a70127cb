/** bench/serve.ts's read_committed reader, which times when outputs become visible. */
import {kafkaClient} from '../../test/support/kafka.js';

export interface Watch {
  /** Resolves when `expected` distinct keys were seen. */
  done: Promise<void>;
  /** When the reader had joined its group and started fetching. */
  started: number;
  first: number;
  /** Outputs already visible at `first` (a whole first commit becomes visible at once). */
  firstCount: number;
  last: number;
  count: number;
  latencies: number[];
  close(): Promise<void>;
}

/** A read_committed consumer timing when outputs become visible; latency against `sentAt`. */
export async function watch(
  brokers: string[],
  topic: string,
  partitions: number,
  expected: number,
  sentAt?: Map<string, number>,
): Promise<Watch> {
  const consumer = kafkaClient(brokers).consumer({
    groupId: `bench-reader-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
    // Large fetches: the reader must not be what limits the rate it measures.
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
  });
  // Distinct keys when timing latency; for throughput only a count, to keep the reader cheap (a
  // read_committed reader of exactly-once outputs sees no duplicates).
  const seen = new Set<string>();
  let counted = 0;
  let resolveDone!: () => void;
  const state: Watch = {
    done: new Promise<void>((resolve) => (resolveDone = resolve)),
    started: 0,
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
    partitionsConsumedConcurrently: partitions,
    eachBatch: async ({batch}) => {
      const now = performance.now();
      if (sentAt) {
        for (const m of batch.messages) {
          const key = m.key?.toString() ?? '';
          if (seen.has(key)) continue;
          seen.add(key);
          const sent = sentAt.get(key);
          if (sent !== undefined) state.latencies.push(now - sent);
        }
        counted = seen.size;
      } else {
        counted += batch.messages.length;
      }
      if (state.first === 0) {
        state.first = now;
        state.firstCount = counted;
      }
      state.last = now;
      state.count = counted;
      if (counted >= expected) resolveDone();
    },
  });
  state.started = performance.now();
  return state;
}

export function bounded<T>(promise: Promise<T>, what: string, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: timed out`)), ms).unref(),
    ),
  ]);
}

export function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

export function median(values: number[]): number {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}
