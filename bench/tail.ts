/**
 * Tail benchmark against a real broker: `npx tsx bench/tail.ts`.
 *
 * 1. Throughput: a topic of N (default 200,000; BENCH_MESSAGES) ~200-byte JSON predictions is read
 *    whole, to /dev/null, by `wine-tui tail T --from-beginning --max N` with and without --json
 *    (the built CLI) and by `kcat -C [-J] -o beginning -c N -e -q` (kcat's JSON envelope is the
 *    fair match for --json). Each reader runs BENCH_ROUNDS (5) times, alternated; medians of the
 *    wall time (start-up included) and CPU time, and the largest peak RSS (`/usr/bin/time`), are
 *    printed.
 *    Also timed: kafkajs alone (bench/tail/kafkajsRead.mjs: tail's consumer settings, no output),
 *    the floor for any kafkajs tail; and, with BENCH_BASELINE_CLI=path/to/dist/cli.js, another
 *    build's `tail --json`, for before/after figures from one run.
 * 2. Memory: the built TUI runs in tmux (80x24) on the Live screen while a producer sends
 *    BENCH_RATE (20,000) messages a second for BENCH_SECONDS (30) to the predictions topic; the
 *    TUI's VmRSS is sampled from /proc every 250 ms and VmHWM read at the end.
 *
 * Broker: WINE_TUI_BROKERS (default the stack's, 127.0.0.1:29092 or WINE_TUI_STACK_KAFKA_PORT). The
 * TUI's model store: WINE_TUI_S3_ENDPOINT (default the stack's MinIO, port 29000 or
 * WINE_TUI_STACK_MINIO_PORT); only its status line uses it here. kcat: Debian's package.
 */
import {closeSync, openSync} from 'node:fs';
import path from 'node:path';
import {spawn} from 'node:child_process';
import {
  BROKERS,
  CLI,
  createTopics,
  deleteTopics,
  fill,
  fmt,
  hasCommand,
  mb,
  median,
  ROOT,
  run,
  stamp,
  table,
} from './tail/common.js';
import {memory} from './tail/memory.js';

const FLOOR = path.join(ROOT, 'bench', 'tail', 'kafkajsRead.mjs');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const N = Number(process.env.BENCH_MESSAGES ?? 200_000);
let hasKcat = false;

/**
 * Runs a command with stdout to /dev/null under `/usr/bin/time -f %M`: seconds until it exits with
 * 0, and its peak RSS in bytes.
 */
async function timed(
  command: string,
  args: string[],
): Promise<{seconds: number; rss: number; cpu: number}> {
  const devNull = openSync('/dev/null', 'w');
  const started = performance.now();
  let stderr = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('/usr/bin/time', ['-f', 'peak-rss-kb %M cpu %U %S', command, ...args], {
        stdio: ['ignore', devNull, 'pipe'],
      });
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${stderr}`)),
      );
    });
  } finally {
    closeSync(devNull);
  }
  const seconds = (performance.now() - started) / 1000;
  const [, rss, user, system] = /peak-rss-kb (\d+) cpu ([\d.]+) ([\d.]+)/.exec(stderr) ?? [];
  return {seconds, rss: Number(rss ?? NaN) * 1024, cpu: Number(user) + Number(system)};
}

async function throughput(): Promise<void> {
  const topic = `bench-tail-${stamp}`;
  await createTopics([topic]);
  try {
    const started = performance.now();
    await fill(topic, N);
    console.log(
      `produced ${fmt(N)} messages to ${topic} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const tail = (cli: string, ...extra: string[]) => ({
      command: process.execPath,
      args: [cli, 'tail', topic, '--from-beginning', '--max', String(N), ...extra],
      connect: ['--brokers', BROKERS],
    });
    const kcat = (...extra: string[]) => ({
      command: 'kcat',
      args: [
        '-C',
        '-b',
        BROKERS,
        '-t',
        topic,
        ...extra,
        '-o',
        'beginning',
        '-c',
        String(N),
        '-e',
        '-q',
      ],
      connect: [] as string[],
    });
    const baseline = process.env.BENCH_BASELINE_CLI;
    const readers = [
      {name: 'wine-tui tail --json', ...tail(CLI, '--json')},
      {name: 'kcat -C -J', ...kcat('-J')},
      {name: 'wine-tui tail', ...tail(CLI)},
      {name: 'kcat -C', ...kcat()},
      // The kafkajs floor: tail's consumer settings, no output.
      {
        name: 'kafkajs alone',
        command: process.execPath,
        args: [FLOOR, BROKERS, topic, String(N)],
        connect: [] as string[],
      },
      ...(baseline ? [{name: 'tail --json (baseline)', ...tail(baseline, '--json')}] : []),
    ].filter((reader) => reader.command !== 'kcat' || hasKcat);
    if (!hasKcat) {
      console.log(
        'kcat is MISSING (Debian: apt-get update && apt-get install -y kcat): its runs are left out',
      );
    }
    const runs = new Map<string, Array<{seconds: number; rss: number; cpu: number}>>();
    for (let round = 0; round < ROUNDS; round++) {
      // Rotated, so no reader always runs right after the same one.
      const order = [
        ...readers.slice(round % readers.length),
        ...readers.slice(0, round % readers.length),
      ];
      for (const reader of order) {
        const result = await timed(reader.command, [...reader.args, ...reader.connect]);
        runs.set(reader.name, [...(runs.get(reader.name) ?? []), result]);
        console.log(
          `round ${round + 1} ${reader.name}: ${result.seconds.toFixed(2)} s, CPU ${result.cpu.toFixed(2)} s, peak RSS ${mb(result.rss)} MB`,
        );
      }
    }
    const seconds = (name: string) => median(runs.get(name)?.map((r) => r.seconds) ?? []);
    const rows = readers.map((reader) => {
      const s = seconds(reader.name);
      const rss = Math.max(...runs.get(reader.name)!.map((r) => r.rss));
      const cpu = median(runs.get(reader.name)!.map((r) => r.cpu));
      return [reader.name, s.toFixed(2), fmt(N / s), cpu.toFixed(2), mb(rss)];
    });
    console.log(`\nMedians of ${ROUNDS} alternated runs, ${fmt(N)} messages each:`);
    // CPU (user + system) says less about the machine's other load than wall time does.
    table(['reader', 'seconds', 'msg/s', 'CPU s', 'peak RSS MB (max)'], rows);
    if (hasKcat) {
      console.log(
        `\nwine-tui tail --json / kcat -C -J: ${(seconds('kcat -C -J') / seconds('wine-tui tail --json')).toFixed(2)} ` +
          `(goal >= 0.5); wine-tui tail / kcat -C: ${(seconds('kcat -C') / seconds('wine-tui tail')).toFixed(2)}`,
      );
      console.log(
        `kafkajs alone (no output) / kcat -C -J: ${(seconds('kcat -C -J') / seconds('kafkajs alone')).toFixed(2)} ` +
          '(the most a kafkajs tail can reach)',
      );
    }
    if (runs.has('tail --json (baseline)')) {
      const ratio = seconds('tail --json (baseline)') / seconds('wine-tui tail --json');
      console.log(`wine-tui tail --json against the baseline build: ${ratio.toFixed(2)}x as fast`);
    }
  } finally {
    await deleteTopics([topic]);
  }
}

async function main(): Promise<void> {
  if (process.env.BENCH_NO_BUILD !== '1') {
    console.log('building dist/ (npm run build)...');
    await run('npm', ['run', 'build', '--silent'], {cwd: ROOT});
  }
  console.log(`broker ${BROKERS}`);
  hasKcat = await hasCommand('kcat');
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
