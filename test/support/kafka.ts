/**
 * Plain kafkajs for tests against a real broker: topics made and removed, messages produced, and
 * topics read back as a read_committed consumer sees them. Nothing of wine-tui is used here.
 */
import {Kafka, logLevel, Partitioners, type Admin, type Message, type Producer} from 'kafkajs';

export function kafkaClient(brokers: string[]): Kafka {
  return new Kafka({
    clientId: 'wine-tui-test',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: {retries: 8, initialRetryTime: 200, maxRetryTime: 3_000},
  });
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

export function createTopics(
  brokers: string[],
  topics: Array<{
    topic: string;
    numPartitions?: number;
    configEntries?: Array<{name: string; value: string}>;
  }>,
): Promise<void> {
  return withAdmin(brokers, async (admin) => {
    await admin.createTopics({topics, waitForLeaders: true});
  });
}

/** Deletes topics a test made; one already gone (or a broker already stopped) is no failure. */
export async function deleteTopics(brokers: string[], topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  await withAdmin(brokers, (admin) => admin.deleteTopics({topics})).catch(() => {});
}

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
    groupId: `wine-tui-test-reader-${Date.now()}-${Math.random().toString(36).slice(2)}`,
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

/** Messages a group has consumed from a topic: the sum of its committed offsets. */
export function committedCount(brokers: string[], groupId: string, topic: string): Promise<number> {
  return withAdmin(brokers, async (admin) => {
    const [offsets] = await admin.fetchOffsets({groupId, topics: [topic]});
    return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  });
}

/** How many messages each key has. */
export function countByKey(messages: ReadMessage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m.key ?? '', (counts.get(m.key ?? '') ?? 0) + 1);
  return counts;
}
