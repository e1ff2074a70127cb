/** What bench/tail.ts and bench/tail/memory.ts share: the broker, the topic's messages, tables. */
import {execFile} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {Kafka, logLevel, Partitioners, type Message, type Producer} from 'kafkajs';

export const mb = (bytes: number | undefined) =>
  bytes === undefined || Number.isNaN(bytes) ? '?' : (bytes / 2 ** 20).toFixed(1);

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
// Default: the stack of scripts/services.sh, on its moved port if WINE_TUI_STACK_KAFKA_PORT says so.
export const BROKERS =
  process.env.WINE_TUI_BROKERS || `127.0.0.1:${process.env.WINE_TUI_STACK_KAFKA_PORT || 29092}`;
export const PARTITIONS = 3;
export const run = promisify(execFile);

const kafka = new Kafka({
  brokers: BROKERS.split(','),
  clientId: 'bench-tail',
  logLevel: logLevel.NOTHING,
});
// Short: the topic name and its count must fit the pane's title line at 80 columns.
export const stamp = Date.now().toString(36);

const REGIONS = ['Rioja', 'Ribera del Duero', 'Priorato', 'Toro', 'Jumilla', 'Rias Baixas'];

/** A prediction as `wine-tui serve` publishes it, trimmed to about 200 bytes. */
export function prediction(n: number): Message {
  const value = JSON.stringify({
    request_id: `r-${stamp}-${n}`,
    input: {winery: 'Bodegas Bench', year: 2010 + (n % 12), region: REGIONS[n % REGIONS.length]},
    price: Math.round((10 + (n % 500) / 7) * 100) / 100,
    version: '20250101T000000Z-abc123',
    time: new Date().toISOString(),
  });
  return {key: `r-${n}`, value};
}

export async function createTopics(topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({topic, numPartitions: PARTITIONS})),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({topics});
  } catch (error) {
    console.warn(`could not delete ${topics.join(', ')}: ${(error as Error).message}`);
  } finally {
    await admin.disconnect();
  }
}

export async function connectedProducer(): Promise<Producer> {
  const producer = kafka.producer({createPartitioner: Partitioners.DefaultPartitioner});
  await producer.connect();
  return producer;
}

/** Fills a topic with `count` messages, in batches of 2,000 with a few in flight. */
export async function fill(topic: string, count: number): Promise<void> {
  const producer = await connectedProducer();
  try {
    const batch = 2_000;
    const inFlight: Promise<unknown>[] = [];
    for (let start = 0; start < count; start += batch) {
      const messages = Array.from({length: Math.min(batch, count - start)}, (_, i) =>
        prediction(start + i),
      );
      inFlight.push(producer.send({topic, messages}));
      if (inFlight.length >= 4) await inFlight.shift();
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
}

export async function hasCommand(name: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${name}`]);
    return true;
  } catch {
    return false;
  }
}

export function table(head: string[], rows: (string | number)[][]): void {
  const cells = [head, ...rows.map((row) => row.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells.slice(1)) console.log(line(row));
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
