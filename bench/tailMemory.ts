/**
 * Peak memory of `wine-tui tail` against the count of messages read: `npm run bench:tail-memory`.
 *
 * Produces one topic of BENCH_MESSAGES (default 2,000,000) ~200-byte JSON messages on 3 partitions,
 * then reads 20,000, 200,000 and all of them with the built CLI, `--json --from-beginning`, once to
 * /dev/null and once through a pipe (`| cat > /dev/null`), and prints each run's peak RSS as
 * `/usr/bin/time -f %M` reports it. A tail whose memory is flat shows the same peak on every row.
 *
 * Broker: WINE_TUI_BROKERS (default the test stack, 127.0.0.1:29092 or WINE_TUI_STACK_KAFKA_PORT;
 * `npm run services:up`).
 */
import {execFile} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {Kafka, logLevel, Partitioners} from 'kafkajs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const BROKERS =
  process.env.WINE_TUI_BROKERS || `127.0.0.1:${process.env.WINE_TUI_STACK_KAFKA_PORT || 29092}`;
const TOTAL = Number(process.env.BENCH_MESSAGES ?? 2_000_000);
const run = promisify(execFile);

async function produce(topic: string): Promise<void> {
  const kafka = new Kafka({brokers: BROKERS.split(','), logLevel: logLevel.NOTHING});
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({topics: [{topic, numPartitions: 3}], waitForLeaders: true});
  await admin.disconnect();
  const producer = kafka.producer({createPartitioner: Partitioners.DefaultPartitioner});
  await producer.connect();
  const value = (n: number) =>
    JSON.stringify({
      request_id: `r-${n}`,
      input: {winery: 'Bodegas Bench', year: 2010 + (n % 12), region: 'Ribera del Duero'},
      price: 10 + (n % 500) / 7,
      version: '2026-01-01/T000000Z-abc12345',
      time: new Date().toISOString(),
    });
  for (let start = 0; start < TOTAL; start += 10_000) {
    const size = Math.min(10_000, TOTAL - start);
    await producer.send({
      topic,
      messages: Array.from({length: size}, (_, i) => ({
        key: `r-${start + i}`,
        value: value(start + i),
      })),
    });
  }
  await producer.disconnect();
}

/** Peak RSS in MB and seconds of one `wine-tui tail` run, to /dev/null or through a pipe. */
async function measure(topic: string, count: number, piped: boolean) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wine-tui-bench-'));
  const report = path.join(dir, 'time');
  const tail = [CLI, 'tail', topic, '--json', '--from-beginning', '--max', String(count)];
  const command =
    `/usr/bin/time -o ${report} -f '%M %e' node ${tail.join(' ')} ` +
    `--config-dir ${dir} --brokers ${BROKERS}` +
    (piped ? ' | cat > /dev/null' : ' > /dev/null');
  try {
    await run('bash', ['-o', 'pipefail', '-c', command], {maxBuffer: 1 << 20});
    const [kb, seconds] = readFileSync(report, 'utf8').trim().split(/\s+/).map(Number);
    return {mb: kb! / 1024, seconds: seconds!};
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}

const topic = `bench-tail-memory-${Date.now().toString(36)}`;
console.log(`producing ${TOTAL.toLocaleString('en')} messages to ${topic} at ${BROKERS}`);
await produce(topic);
const counts = [20_000, 200_000, TOTAL];
const rows: string[] = [];
let first: number | undefined;
for (const piped of [false, true]) {
  for (const count of counts) {
    const {mb, seconds} = await measure(topic, count, piped);
    first = count === counts[0] ? mb : first;
    rows.push(
      `| ${count.toLocaleString('en')} | ${piped ? '`| cat`' : '/dev/null'} | ${mb.toFixed(1)} MB | ` +
        `${(mb - first!).toFixed(1)} MB | ${seconds.toFixed(1)} s |`,
    );
  }
}
console.log(
  '| messages | stdout | peak RSS | over 20,000 | wall |\n| --- | --- | --- | --- | --- |',
);
console.log(rows.join('\n'));
