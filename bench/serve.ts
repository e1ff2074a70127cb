/**
 * Predictor service benchmark against a real broker and MinIO: `npm run bench:serve`.
 *
 * Contenders, each a child process, in the same run and interleaved (the order rotates each round,
 * BENCH_ROUNDS, default 3); medians over the rounds are printed with the ratios:
 * - `wine-tui serve` (exactly-once; `--at-least-once` too with BENCH_AT_LEAST_ONCE=1);
 * - the bare kafkajs relays (bench/serve/relay.ts): without transactions, and exactly-once (the
 *   kafkajs floor: no model, a transaction per batch, at its best settings);
 * - the librdkafka anchor (bench/anchor/serve_loop.py): Python confluent-kafka, transactional
 *   consume -> predict -> produce with the same JSON work and a linear model over one-hot lookups.
 *   Its venv is made under .cache/ on first use.
 *
 * 1. Throughput: the same N requests (default 100,000; BENCH_REQUESTS) already on a 3-partition
 *    topic. Rate: the outputs that became visible to a read_committed consumer after the first
 *    ones did, over the time that took (start-up is left out).
 * 2. Latency (exactly-once contenders): requests produced at 1,000/s (BENCH_RATE) for
 *    BENCH_SECONDS (15); p50/p99 from just before the request's produce call to its output reaching
 *    a read_committed consumer (both in this process, one clock).
 *
 * BENCH_BASELINE_CLI=path/to/dist/cli.js adds another build's serve ("serve (baseline)"), for
 * before/after figures from one run. The baseline must read this build's config and artifacts
 * (topics.shadow, model@2): builds from before both refuse them. BENCH_ONLY=serve,anchor runs only the contenders whose names start with those words;
 * BENCH_THROUGHPUT=0 / BENCH_LATENCY=0 leave out a part.
 *
 * Targets: WINE_TUI_TEST_KAFKA_BROKERS / WINE_TUI_TEST_S3_* (as for the integration tests, e.g.
 * eval "$(bash scripts/services.sh test-env)"), else the stack's ports (WINE_TUI_STACK_KAFKA_PORT,
 * WINE_TUI_STACK_MINIO_PORT, as scripts/services.sh uses them; default 29092 and 29000).
 */
import '../test/support/kafkajsFilter.js';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {trainModel} from '../source/services/app/modelWorkflow.js';
import {createTopics, withAdmin} from '../test/support/kafka.js';
import {childEnv, CLI, RunningProcess} from '../test/support/process.js';
import {awsEnv, createBucket} from '../test/support/s3.js';
import {publishModel} from '../test/support/serve/models.js';
import {uniqueTopics, writeConfigDir} from '../test/support/serve/topics.js';
import {kafkaTarget, s3Target, type S3Target} from '../test/support/services.js';
import {ANCHOR_SCRIPT, anchorPython, writeAnchorModel} from './anchor/anchor.js';
import {
  created,
  latency,
  N,
  PARTITIONS,
  readerCeiling,
  throughput,
  type Contender,
} from './serve/runs.js';
import {median, quantile} from './serve/watch.js';

// The AWS SDK warns that its 2027 releases need Node 22; noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RELAY_SCRIPT = fileURLToPath(new URL('./serve/relay.ts', import.meta.url));

// The stack's ports, moved like scripts/lib/stack.sh moves them (WINE_TUI_STACK_*_PORT).
const stackPort = (name: string, fallback: number) =>
  Number(process.env[`WINE_TUI_STACK_${name}_PORT`] || fallback);
const brokers = kafkaTarget()?.brokers ?? [`127.0.0.1:${stackPort('KAFKA', 29092)}`];
const s3: S3Target = s3Target() ?? {
  endpoint: `http://127.0.0.1:${stackPort('MINIO', 29000)}`,
  region: 'us-east-1',
  accessKeyId: 'winetui',
  secretAccessKey: 'winetui-secret-key',
};

async function main(): Promise<void> {
  const dirs: string[] = [];
  console.log(
    `brokers ${brokers.join(',')}, S3 ${s3.endpoint}; ${N} requests, ${PARTITIONS} partitions, ` +
      `${ROUNDS} interleaved rounds`,
  );
  const bucket = `wine-tui-bench-${Date.now().toString(36)}`;
  await createBucket(s3, bucket);
  const train = uniqueTopics('bench-model').train;
  await createTopics(brokers, [{topic: train, numPartitions: 1}]);
  created.push(train);
  const model = await publishModel({brokers, s3, bucket, trainTopic: train});
  console.log(`model ${model.version}`);
  // The same training (same options and seed) gives the anchor the same weights.
  const {artifact} = await trainModel({
    features: ['region', 'type', 'rating', 'body'],
    minCount: 3,
    seed: 42,
  });
  const work = mkdtempSync(path.join(os.tmpdir(), 'wine-tui-bench-'));
  dirs.push(work);
  const anchorModel = path.join(work, 'anchor-model.json');
  writeAnchorModel(anchorModel, artifact, model.version);

  const serve = (name: string, extra: string[]): Contender => ({
    name,
    eos: extra.length === 0,
    start: (topics, group) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'wine-tui-bench-'));
      dirs.push(dir);
      const config = writeConfigDir(dir, {brokers, topics, s3, bucket});
      const args = ['serve', '--config-dir', config, '--group', group, '--json', ...extra];
      // BENCH_SERVE_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (not allowed in NODE_OPTIONS).
      const nodeArgs = process.env.BENCH_SERVE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
      const cli = name.endsWith('(baseline)') ? process.env.BENCH_BASELINE_CLI! : CLI;
      return new RunningProcess(process.execPath, [...nodeArgs, cli, ...args], {
        env: childEnv(awsEnv(s3)),
        name,
      });
    },
  });
  const relay = (name: string, mode: 'plain' | 'eos'): Contender => ({
    name,
    eos: mode === 'eos',
    start: (topics, group) =>
      new RunningProcess(
        process.execPath,
        [
          ...process.execArgv,
          RELAY_SCRIPT,
          mode,
          brokers.join(','),
          topics.requests,
          topics.predictions,
          group,
        ],
        {env: process.env, name},
      ),
  });
  const contenders: Contender[] = [
    serve('serve', []),
    ...(process.env.BENCH_BASELINE_CLI ? [serve('serve (baseline)', [])] : []),
    ...(process.env.BENCH_AT_LEAST_ONCE === '1'
      ? [serve('serve --at-least-once', ['--at-least-once'])]
      : []),
    relay('relay', 'plain'),
    relay('relay EOS', 'eos'),
  ];
  const python = await anchorPython();
  if ('python' in python) {
    contenders.push({
      name: 'anchor (librdkafka)',
      eos: true,
      start: (topics, group) =>
        new RunningProcess(
          python.python,
          [
            ANCHOR_SCRIPT,
            brokers.join(','),
            topics.requests,
            topics.predictions,
            topics.deadLetters,
            group,
            anchorModel,
          ],
          {env: process.env, name: 'anchor'},
        ),
    });
  } else {
    console.log(`anchor: MISSING, left out: ${python.missing}`);
  }

  // BENCH_ONLY=serve,anchor: only the contenders whose names start with these.
  const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
  if (only)
    contenders.splice(
      0,
      contenders.length,
      ...contenders.filter((c) => only.some((o) => c.name.startsWith(o))),
    );
  const rates = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const ceilings: number[] = [];
  const lat = new Map<string, Array<{p50: number; p99: number}>>();
  const rotate = <T>(list: T[], by: number) => [
    ...list.slice(by % list.length),
    ...list.slice(0, by % list.length),
  ];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      if (process.env.BENCH_THROUGHPUT !== '0') {
        const ceiling = await readerCeiling(brokers, train);
        ceilings.push(ceiling);
        console.log(`round ${round + 1} reader alone: ${ceiling.toFixed(0)} /s`);
      }
      for (const c of process.env.BENCH_THROUGHPUT === '0' ? [] : rotate(contenders, round)) {
        const rate = await throughput(brokers, c, train);
        rates.get(c.name)!.push(rate);
        console.log(`round ${round + 1} throughput ${c.name}: ${rate.toFixed(0)} /s`);
      }
      const timed = process.env.BENCH_LATENCY === '0' ? [] : contenders.filter((c) => c.eos);
      for (const c of rotate(timed, round)) {
        const {sorted, own} = await latency(brokers, c, train);
        const figures = {p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99)};
        lat.set(c.name, [...(lat.get(c.name) ?? []), figures]);
        console.log(
          `round ${round + 1} latency ${c.name}: p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms (${sorted.length} requests)${own ?? ''}`,
        );
      }
    }
  } finally {
    await withAdmin(brokers, (admin) => admin.deleteTopics({topics: created})).catch(() => {});
    for (const dir of dirs) rmSync(dir, {recursive: true, force: true});
  }

  const rateOf = (name: string) => median(rates.get(name) ?? []);
  const anchor = rateOf('anchor (librdkafka)');
  const bare = rateOf('relay');
  console.log(
    `\nMedians of ${ROUNDS} interleaved rounds (${new Date().toISOString().slice(0, 10)}):`,
  );
  console.log(
    'contender                 req/s  /anchor  /relay   p50 ms   p99 ms  (at 1,000/s, exactly-once)',
  );
  for (const c of contenders) {
    const rate = rateOf(c.name);
    const l = lat.get(c.name);
    const p = (key: 'p50' | 'p99') => (l ? median(l.map((x) => x[key])).toFixed(1) : '-');
    console.log(
      `${c.name.padEnd(22)} ${rate.toFixed(0).padStart(8)} ${(rate / anchor).toFixed(2).padStart(8)} ` +
        `${(rate / bare).toFixed(2).padStart(7)} ${p('p50').padStart(8)} ${p('p99').padStart(8)}`,
    );
  }
  console.log(
    "goals: serve >= 1.0x anchor and >= 0.8x relay; p50 <= 20 ms, p99 <= 50 ms and <= the anchor's",
  );
}

await main();
process.exit(0);
