/**
 * Rollouts on the real broker and MinIO: a challenger scored in shadow by `wine-tui serve`
 * (exactly one shadow record per request, through a SIGKILL), and a canary share answered by it.
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {PredictionMessage} from '../../source/services/app/modelWorkflow.js';
import type {ShadowRecord} from '../../source/services/predictor/shadowScoring.js';
import {requireOrSkip} from '../support/ci.js';
import {runCli} from '../support/cli.js';
import {countByKey, openProducer, produce, readCommitted} from '../support/kafka.js';
import {PacedProducer} from '../support/pacedProducer.js';
import {awsEnv, createBucket} from '../support/s3.js';
import {answered} from '../support/serve/answers.js';
import {publishModel} from '../support/serve/models.js';
import {requestMessages} from '../support/serve/requests.js';
import {ServeRuns} from '../support/serve/runs.js';
import {createServeTopics, uniqueTopics} from '../support/serve/topics.js';
import {kafkaTarget, s3Target, unavailableReason, uniqueName} from '../support/services.js';
import {waitUntil} from '../support/wait.js';

const kafka = kafkaTarget();
const s3 = s3Target();
const skip = requireOrSkip(
  (!kafka && unavailableReason('kafka')) || (!s3 && unavailableReason('s3')),
  'rollout integration tests',
);

interface StatusJson {
  instances: Array<{
    state: string;
    version: string | null;
    challenger: {version: string | null; canary_percent: number} | null;
    agreement: {
      champion: string;
      challenger: string;
      count: number;
      mean_abs_pct_diff: number;
      within_10pct: number;
      largest: Array<{champion_price: number; challenger_price: number}>;
    } | null;
  }>;
}

const parse = <T>(messages: Array<{value: Buffer | null}>) =>
  messages.map((m) => JSON.parse(m.value!.toString()) as T);

describe.skipIf(skip)('rollouts on Kafka and MinIO: shadow scoring and canary', () => {
  const brokers = kafka?.brokers ?? [];
  const bucket = uniqueName('rollout-it').toLowerCase();
  const runs = new ServeRuns();
  const flows: PacedProducer[] = [];

  beforeAll(async () => {
    await createBucket(s3!, bucket);
  }, 240_000);

  afterEach(async () => {
    await Promise.all(flows.splice(0).map((flow) => flow.stop()));
    await runs.stopAll();
  }, 60_000);

  afterAll(async () => {
    await runs.remove(brokers);
  });

  const cli = (args: string[]) => runCli(args, {env: awsEnv(s3!)});

  /** Topics, a challenger (seed 7) and a champion (seed 42, announced last), set by the CLI. */
  async function setUp(prefix: string) {
    const topics = uniqueTopics(prefix);
    runs.topics.push(...Object.values(topics));
    await createServeTopics(brokers, topics, {partitions: 3});
    const challenger = await publishModel({
      brokers,
      s3: s3!,
      bucket,
      trainTopic: topics.train,
      seed: 7,
    });
    const champion = await publishModel({brokers, s3: s3!, bucket, trainTopic: topics.train});
    const dir = runs.configDir({brokers, topics, s3: s3!, bucket});
    const set = await cli([
      'models',
      'alias',
      'set',
      'challenger',
      challenger.version,
      '--config-dir',
      dir,
    ]);
    expect(set.code, set.stderr).toBe(0);
    return {topics, dir, champion, challenger, group: uniqueName(`${prefix}-group`)};
  }

  const serve = (dir: string, group: string, extra: string[] = []) =>
    runs.start(
      ['--config-dir', dir, '--group', group, '--heartbeat-every', '1', ...extra],
      awsEnv(s3!),
    );

  it('writes exactly one shadow record per request through a SIGKILL, and reports the agreement', async () => {
    const {topics, dir, champion, challenger, group} = await setUp('rollout-a');
    const first = serve(dir, group);
    await first.waitFor(/scoring challenger/);
    await first.waitFor(/consuming/);

    const total = 6_000;
    const flow = new PacedProducer(
      await openProducer(brokers),
      topics.requests,
      (from, count) => requestMessages('ro-a', from, count),
      {total, chunk: 200, limit: 3_000, pauseMs: 50},
    );
    flows.push(flow);
    await waitUntil(
      '1,000 requests answered',
      async () => (await answered(brokers, group, topics.requests)) >= 1_000,
      {timeoutMs: 60_000, everyMs: 200},
    );
    let status: StatusJson | undefined;
    await waitUntil(
      'agreement figures in the heartbeat',
      async () => {
        const result = await cli(['status', '--json', '--config-dir', dir, '--group', group]);
        status = JSON.parse(result.stdout) as StatusJson;
        return (status.instances[0]?.agreement?.count ?? 0) > 0;
      },
      {timeoutMs: 30_000, everyMs: 500},
    );
    const [instance] = status!.instances;
    expect(instance!.challenger).toMatchObject({version: challenger.version, canary_percent: 0});
    expect(instance!.agreement).toMatchObject({
      champion: champion.version,
      challenger: challenger.version,
    });
    expect(instance!.agreement!.within_10pct).toBeGreaterThanOrEqual(0);
    expect(instance!.agreement!.largest.length).toBeGreaterThan(0);

    // Killed mid-stream: its open transaction is aborted, the next instance answers the rest.
    await first.stop('SIGKILL');
    flow.allow(total);
    const second = serve(dir, group);
    await second.waitFor(/consuming/);
    await flow.finished;
    await waitUntil(
      'every request answered',
      async () => (await answered(brokers, group, topics.requests)) >= total,
      {timeoutMs: 120_000, everyMs: 500},
    );

    const [predictions, shadow] = await Promise.all([
      readCommitted(brokers, topics.predictions, {expected: total}),
      readCommitted(brokers, topics.shadow, {expected: total}),
    ]);
    const shadowCounts = countByKey(shadow);
    expect(shadowCounts.size).toBe(total);
    expect([...shadowCounts.values()].every((n) => n === 1)).toBe(true);
    expect(countByKey(predictions).size).toBe(total);
    const priceOf = new Map(
      parse<PredictionMessage>(predictions).map((p) => [p.request_id, p] as const),
    );
    for (const record of parse<ShadowRecord>(shadow)) {
      const answer = priceOf.get(record.request_id)!;
      expect(record).toMatchObject({
        version: challenger.version,
        champion_version: champion.version,
        champion_price: answer.price,
        answered_by: 'champion',
      });
      expect(answer.version).toBe(champion.version);
      expect(Number.isFinite(record.price)).toBe(true);
    }
  }, 240_000);

  it('lets the challenger answer 30% ± 5% of 10,000 requests, the same request id always the same version', async () => {
    const {topics, dir, champion, challenger, group} = await setUp('rollout-b');
    const run = serve(dir, group, ['--canary-percent', '30']);
    await run.waitFor(/consuming/);
    const total = 10_000;
    const again = 1_000;
    // Every tenth request sent once more, as a client retrying would.
    const messages = [
      ...requestMessages('ro-b', 0, total),
      ...requestMessages('ro-b', 0, total).filter((_, i) => i % 10 === 0),
    ];
    await produce(brokers, topics.requests, messages, {chunk: 500});
    await waitUntil(
      'every request answered',
      async () => (await answered(brokers, group, topics.requests)) >= total + again,
      {timeoutMs: 120_000, everyMs: 500},
    );
    const [predictions, shadow] = await Promise.all([
      readCommitted(brokers, topics.predictions, {expected: total + again}),
      readCommitted(brokers, topics.shadow, {expected: total + again}),
    ]);
    expect(predictions).toHaveLength(total + again);
    const versions = new Map<string, Set<string>>();
    for (const p of parse<PredictionMessage>(predictions)) {
      versions.set(p.request_id, (versions.get(p.request_id) ?? new Set()).add(p.version));
    }
    expect(versions.size).toBe(total);
    expect([...versions.values()].every((v) => v.size === 1)).toBe(true);
    const byChallenger = [...versions.values()].filter((v) => v.has(challenger.version)).length;
    expect(Math.abs(byChallenger / total - 0.3), `${byChallenger} of ${total}`).toBeLessThan(0.05);
    expect(
      [...versions.values()].every((v) => v.has(champion.version) || v.has(challenger.version)),
    ).toBe(true);
    // The shadow record keeps both prices, whichever answered.
    const records = parse<ShadowRecord>(shadow);
    expect(records).toHaveLength(total + again);
    for (const record of records) {
      const answeredBy = versions.get(record.request_id)!.has(challenger.version)
        ? 'challenger'
        : 'champion';
      expect(record.answered_by).toBe(answeredBy);
      expect(Number.isFinite(record.price)).toBe(true);
      expect(Number.isFinite(record.champion_price)).toBe(true);
    }
  }, 240_000);
});
