/**
 * Tail benchmark against a real broker: `npx tsx bench/tail.ts`.
 *
 * 1. Throughput: a topic of N (default 200,000; BENCH_MESSAGES) ~200-byte JSON predictions is read
 *    whole by `wine-tui tail T --from-beginning --max N --json > /dev/null` (the built CLI) and by
 *    `kcat -C ... -o beginning -c N -e -q > /dev/null`. Each is also run with a max of 1, so that
 *    start-up (process, connection, group join) can be told apart from the steady rate.
 * 2. Memory: the built TUI runs in tmux (80x24) on the Live screen while a producer sends
 *    BENCH_RATE (20,000) messages a second for BENCH_SECONDS (30) to the predictions topic; the
 *    TUI's VmRSS is sampled from /proc every 250 ms and VmHWM read at the end.
 *
 * Broker: WINE_TUI_BROKERS (default 127.0.0.1:19092). The TUI's model store: WINE_TUI_S3_ENDPOINT
 * (default the dev MinIO at http://127.0.0.1:19000); only its status line uses it here.
 */
import {execFile, spawn} from 'node:child_process';
import {mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {Kafka, logLevel, Partitioners, type Message, type Producer} from 'kafkajs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const BROKERS = process.env.WINE_TUI_BROKERS || '127.0.0.1:19092';
const N = Number(process.env.BENCH_MESSAGES ?? 200_000);
const RATE = Number(process.env.BENCH_RATE ?? 20_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const PARTITIONS = 3;
const run = promisify(execFile);

const kafka = new Kafka({
  brokers: BROKERS.split(','),
  clientId: 'bench-tail',
  logLevel: logLevel.NOTHING,
});
// Short: the topic name and its count must fit the pane's title line at 80 columns.
const stamp = Date.now().toString(36);

const REGIONS = ['Rioja', 'Ribera del Duero', 'Priorato', 'Toro', 'Jumilla', 'Rias Baixas'];

/** A prediction as `wine-tui serve` publishes it, trimmed to about 200 bytes. */
function prediction(n: number): Message {
  const value = JSON.stringify({
    request_id: `r-${stamp}-${n}`,
    input: {winery: 'Bodegas Bench', year: 2010 + (n % 12), region: REGIONS[n % REGIONS.length]},
    price: Math.round((10 + (n % 500) / 7) * 100) / 100,
    version: '20250101T000000Z-abc123',
    time: new Date().toISOString(),
  });
  return {key: `r-${n}`, value};
}

async function createTopics(topics: string[]): Promise<void> {
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

async function deleteTopics(topics: string[]): Promise<void> {
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

async function connectedProducer(): Promise<Producer> {
  const producer = kafka.producer({createPartitioner: Partitioners.DefaultPartitioner});
  await producer.connect();
  return producer;
}

/** Fills a topic with `count` messages, in batches of 2,000 with a few in flight. */
async function fill(topic: string, count: number): Promise<void> {
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

/** Runs a command with stdout to /dev/null; seconds until it exits with 0. */
async function timed(command: string, args: string[]): Promise<number> {
  const devNull = openSync('/dev/null', 'w');
  const started = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, args, {stdio: ['ignore', devNull, 'pipe']});
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${stderr}`)),
      );
    });
  } finally {
    closeSync(devNull);
  }
  return (performance.now() - started) / 1000;
}

async function hasCommand(name: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${name}`]);
    return true;
  } catch {
    return false;
  }
}

function table(head: string[], rows: (string | number)[][]): void {
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

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function throughput(): Promise<void> {
  const topic = `bench-tail-${stamp}`;
  await createTopics([topic]);
  try {
    let started = performance.now();
    await fill(topic, N);
    console.log(
      `produced ${fmt(N)} messages to ${topic} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    started = performance.now();

    const tail = (max: number) =>
      timed(process.execPath, [
        CLI,
        'tail',
        topic,
        '--from-beginning',
        '--max',
        String(max),
        '--json',
        '--brokers',
        BROKERS,
      ]);
    const kcat = (max: number) =>
      timed('kcat', [
        '-C',
        '-b',
        BROKERS,
        '-t',
        topic,
        '-o',
        'beginning',
        '-c',
        String(max),
        '-e',
        '-q',
      ]);

    const rows: (string | number)[][] = [];
    const measure = async (name: string, read: (max: number) => Promise<number>) => {
      const startup = await read(1);
      const total = await read(N);
      const rate = N / total;
      const steady = (N - 1) / Math.max(0.001, total - startup);
      rows.push([name, fmt(N), total.toFixed(2), startup.toFixed(2), fmt(rate), fmt(steady)]);
      return {rate, steady};
    };
    const ours = await measure('wine-tui tail --json', tail);
    let theirs: {rate: number; steady: number} | undefined;
    if (await hasCommand('kcat')) {
      theirs = await measure('kcat -C', kcat);
    } else {
      console.log('kcat is not installed (Debian: apt-get install -y kcat): skipping its run');
    }
    console.log('');
    table(['reader', 'messages', 'seconds', 'start-up s', 'msg/s', 'msg/s after start-up'], rows);
    if (theirs) {
      console.log(
        `\nwine-tui tail / kcat: ${(ours.rate / theirs.rate).toFixed(2)} overall, ` +
          `${(ours.steady / theirs.steady).toFixed(2)} after start-up`,
      );
    }
  } finally {
    await deleteTopics([topic]);
  }
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const mb = (bytes: number | undefined) =>
  bytes === undefined ? '?' : (bytes / 2 ** 20).toFixed(1);

async function memory(): Promise<void> {
  if (!(await hasCommand('tmux'))) {
    console.log('tmux is not installed: skipping the memory part');
    return;
  }
  const trainTopic = `bl-train-${stamp}`;
  const topic = `bl-pred-${stamp}`;
  await createTopics([trainTopic, topic]);
  const configDir = mkdtempSync(path.join(os.tmpdir(), 'wine-tui-bench-tail-'));
  writeFileSync(
    path.join(configDir, 'kafka_config.yaml'),
    `bootstrap.servers: ${BROKERS}\ntopics:\n  train: ${trainTopic}\n  app_messages: ${topic}\n`,
  );
  // Our own tmux server (own socket), so nothing else running in tmux is touched.
  // The store settings reach the TUI through the environment of our tmux server, not its command
  // line (which `ps` shows).
  const env = {
    ...process.env,
    WINE_TUI_S3_ENDPOINT: process.env.WINE_TUI_S3_ENDPOINT || 'http://127.0.0.1:19000',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID || 'winetui',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY || 'winetui-secret-key',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const tmux = (...args: string[]) => run('tmux', ['-L', `bench-tail-${stamp}`, ...args], {env});
  const screen = async () => (await tmux('capture-pane', '-p', '-t', 'tui')).stdout;
  const until = async (what: string, test: (text: string) => boolean, ms = 30_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const text = await screen();
      if (test(text)) return text;
      if (Date.now() > deadline) throw new Error(`the TUI did not show ${what}:\n${text}`);
      await delay(200);
    }
  };
  const command = `cd ${ROOT} && exec ${process.execPath} ${CLI} --config-dir ${configDir}`;
  await tmux('new-session', '-d', '-s', 'tui', '-x', '80', '-y', '24', command);
  try {
    const pid = Number((await tmux('display', '-p', '-t', 'tui', '#{pane_pid}')).stdout.trim());
    await until('its first frame', (text) => text.includes('Live'));
    await tmux('send-keys', '-t', 'tui', '3');
    await until(
      'both panes tailing',
      (text) => (text.match(/waiting for messages/g) ?? []).length === 2,
    );
    await delay(1000);
    const before = procStatus(pid, 'VmRSS');

    const samples: number[] = [];
    const sampler = setInterval(() => {
      const rss = procStatus(pid, 'VmRSS');
      if (rss !== undefined) samples.push(rss);
    }, 250);
    const producer = await connectedProducer();
    let sent = 0;
    const started = performance.now();
    try {
      // Every 50 ms, whatever keeps the total on schedule, in sends of at most 2,000 messages
      // (the broker refuses requests over 1 MB); sends overlap if the broker lags.
      const inFlight = new Set<Promise<unknown>>();
      let failure: unknown;
      while (performance.now() - started < SECONDS * 1000 && failure === undefined) {
        const due = Math.floor(((performance.now() - started) / 1000) * RATE);
        while (due > sent) {
          const count = Math.min(2_000, due - sent);
          const messages = Array.from({length: count}, (_, i) => prediction(sent + i));
          sent += count;
          const send: Promise<unknown> = producer.send({topic, messages}).then(
            () => inFlight.delete(send),
            (error: unknown) => (failure ??= error),
          );
          inFlight.add(send);
        }
        await delay(50);
      }
      await Promise.all(inFlight);
      if (failure !== undefined) throw failure;
    } finally {
      await producer.disconnect();
    }
    const seconds = (performance.now() - started) / 1000;
    // Let the TUI drain what it has not read yet, until its count stops moving.
    const received = () =>
      screen().then((text) => Number(/bl-pred-\S*\s.*?(\d+) received/.exec(text)?.[1] ?? NaN));
    let last = -1;
    let count = await received();
    for (let waited = 0; count !== last && count < sent && waited < 30; waited++) {
      await delay(1000);
      last = count;
      count = await received();
    }
    clearInterval(sampler);
    const peak = procStatus(pid, 'VmHWM');
    const lastFrame = await screen();

    console.log('');
    table(
      ['TUI on the Live screen (80x24)', 'value'],
      [
        // React's development build (NODE_ENV unset) keeps a performance entry for every render.
        ['NODE_ENV of the TUI', process.env.NODE_ENV ?? '(unset)'],
        ['producer rate, msg/s', fmt(sent / seconds)],
        ['messages produced', fmt(sent)],
        ['messages the Live screen counted', Number.isNaN(count) ? '?' : fmt(count)],
        ['RSS before the flood, MB', mb(before)],
        ['peak VmRSS sampled, MB', mb(Math.max(...samples))],
        ['VmRSS at the end, MB', mb(samples.at(-1))],
        ['VmHWM (peak RSS), MB', mb(peak)],
      ],
    );
    // One sample in 20 (every 5 s): whether memory levels off or keeps growing.
    console.log(
      `\nVmRSS every 5 s, MB: ${samples
        .filter((_, i) => i % 20 === 0)
        .map(mb)
        .join(' ')}`,
    );
    console.log(`\nlast frame:\n${lastFrame}`);
  } finally {
    await tmux('kill-server').catch(() => {});
    // kill-server leaves the socket file behind.
    const uid = process.getuid?.() ?? 0;
    rmSync(path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`, `bench-tail-${stamp}`), {
      force: true,
    });
    rmSync(configDir, {recursive: true, force: true});
    await deleteTopics([trainTopic, topic]);
  }
}

async function main(): Promise<void> {
  if (process.env.BENCH_NO_BUILD !== '1') {
    console.log('building dist/ (npm run build)...');
    await run('npm', ['run', 'build', '--silent'], {cwd: ROOT});
  }
  console.log(`broker ${BROKERS}`);
  if (process.env.BENCH_SKIP_THROUGHPUT !== '1') await throughput();
  if (process.env.BENCH_SKIP_MEMORY !== '1') await memory();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
