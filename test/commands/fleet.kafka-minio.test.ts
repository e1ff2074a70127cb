import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {requireOrSkip} from '../support/ci.js';
import {runCli} from '../support/cli.js';
import {produce, readCommitted} from '../support/kafka.js';
import {awsEnv, createBucket} from '../support/s3.js';
import {publishModel} from '../support/serve/models.js';
import {requestMessages} from '../support/serve/requests.js';
import {ServeRuns} from '../support/serve/runs.js';
import {createServeTopics, uniqueTopics} from '../support/serve/topics.js';
import {kafkaTarget, s3Target, unavailableReason, uniqueName} from '../support/services.js';
import {waitUntil} from '../support/wait.js';
import {UNICO} from '../support/wines.js';

const kafka = kafkaTarget();
const s3 = s3Target();
const skip = requireOrSkip(
  (!kafka && unavailableReason('kafka')) || (!s3 && unavailableReason('s3')),
  'fleet integration tests',
);

interface StatusJson {
  group: string;
  instances: Array<{
    id: string;
    state: string;
    last_seen: string;
    version: string | null;
    partitions: number[];
    stale: boolean;
    dead_letters: number;
  }>;
  lag: {
    total: number;
    partitions: Array<{partition: number; committed: number | null; end: number; lag: number}>;
  };
  dead_letters: {total: number};
  warnings: string[];
}

interface LetterJson {
  partition: number;
  offset: number;
  reason: string;
  reason_class: string;
  request_id: string | null;
  key: string | null;
  redrive_count: number;
  failed_again: boolean;
}

describe.skipIf(skip)('the serve fleet on Kafka and MinIO: status, dead letters, requests', () => {
  const brokers = kafka?.brokers ?? [];
  const bucket = uniqueName('fleet-it').toLowerCase();
  const runs = new ServeRuns();

  beforeAll(async () => {
    await createBucket(s3!, bucket);
  }, 240_000);

  afterEach(async () => {
    await runs.stopAll();
  });

  afterAll(async () => {
    await runs.remove(brokers);
  });

  async function setUp(prefix: string) {
    const topics = uniqueTopics(prefix);
    runs.topics.push(...Object.values(topics));
    await createServeTopics(brokers, topics, {partitions: 4});
    const model = await publishModel({brokers, s3: s3!, bucket, trainTopic: topics.train});
    const dir = runs.configDir({brokers, topics, s3: s3!, bucket});
    return {topics, model, dir, group: uniqueName(`${prefix}-group`)};
  }

  const serve = (dir: string, group: string) =>
    runs.start(
      ['--config-dir', dir, '--group', group, '--heartbeat-every', '1', '--report-every', '1'],
      awsEnv(s3!),
    );
  const cli = (args: string[]) => runCli(args, {env: awsEnv(s3!)});
  const status = async (dir: string, group: string): Promise<StatusJson> => {
    const result = await cli(['status', '--json', '--config-dir', dir, '--group', group]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as StatusJson;
  };
  const letters = async (dir: string, extra: string[] = []): Promise<LetterJson[]> => {
    const result = await cli(['dlq', 'list', '--json', '--config-dir', dir, ...extra]);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LetterJson);
  };

  it('lists both instances with disjoint partitions, shows a killed one as stale, and counts lag', async () => {
    const {topics, model, dir, group} = await setUp('fleet-a');
    const first = serve(dir, group);
    const second = serve(dir, group);
    await Promise.all([first.waitFor(/consuming/), second.waitFor(/consuming/)]);

    let seen: StatusJson | undefined;
    await waitUntil(
      'two instances owning all four partitions',
      async () => {
        seen = await status(dir, group);
        const live = seen.instances.filter((i) => i.state === 'running' && !i.stale);
        const owned = live.flatMap((i) => i.partitions).sort();
        return (
          live.length === 2 &&
          live.every((i) => i.partitions.length > 0) &&
          owned.join() === '0,1,2,3'
        );
      },
      {timeoutMs: 60_000, everyMs: 1_000},
    );
    const live = seen!.instances.filter((i) => i.state === 'running');
    expect(live.map((i) => i.version)).toEqual([model.version, model.version]);
    const [a, b] = live;
    expect(a!.partitions.filter((p) => b!.partitions.includes(p))).toEqual([]);

    await produce(brokers, topics.requests, requestMessages('fleet-a', 0, 400), {chunk: 100});
    await waitUntil(
      'lag 0 after the drain',
      async () => {
        const s = await status(dir, group);
        return (
          s.lag.total === 0 &&
          s.lag.partitions.reduce((sum, p) => sum + (p.committed ?? 0), 0) === 400
        );
      },
      {timeoutMs: 60_000, everyMs: 1_000},
    );

    // SIGKILL: no "stopped" record; stale after three missed 1 s heartbeats.
    await first.stop('SIGKILL');
    // Taken once the process is gone: every heartbeat it ever sent is older.
    const killedAt = Date.now();
    const killed = live.find((i) => i.id.includes(`:${first.child.pid}-`))!;
    expect(killed, JSON.stringify(live)).toBeDefined();
    await waitUntil(
      'the killed instance shown as stale',
      async () => (await status(dir, group)).instances.some((i) => i.id === killed.id && i.stale),
      {timeoutMs: 20_000, everyMs: 500},
    );
    // Nothing was heard from it after the kill (the stale rule itself is unit-tested).
    const after = (await status(dir, group)).instances.find((i) => i.id === killed.id)!;
    expect(Date.parse(after.last_seen)).toBeLessThanOrEqual(killedAt);
    const stale = await status(dir, group);
    expect(stale.warnings.join('\n')).toMatch(/stale/);

    // A clean stop says "stopped"; requests produced while nothing runs are all lag.
    await second.stop('SIGTERM');
    await waitUntil(
      'the stopped record',
      async () => (await status(dir, group)).instances.some((i) => i.state === 'stopped'),
      {timeoutMs: 20_000, everyMs: 500},
    );
    await produce(brokers, topics.requests, requestMessages('fleet-a', 400, 123), {chunk: 50});
    const waiting = await status(dir, group);
    expect(waiting.lag.total).toBe(123);
    expect(waiting.warnings.join('\n')).toMatch(/123 requests waiting and no instance is serving/);
  }, 240_000);

  it('dead-letters bad requests, redrives them by reason with the headers, and stops loops at the limit', async () => {
    const {topics, dir, group} = await setUp('fleet-b');
    const running = serve(dir, group);
    await running.waitFor(/consuming/);

    const notJson = ['nj-1', 'nj-2', 'nj-3'].map((key) => ({key, value: 'this is not json'}));
    const badYear = [
      {
        key: 'by-1',
        value: JSON.stringify({
          request_id: 'by-1',
          input: {
            winery: 'x',
            wine: 'y',
            year: 'soon',
            region: 'Rioja',
            type: 'Rioja Red',
            rating: 4,
            body: 3,
          },
        }),
      },
    ];
    await produce(brokers, topics.requests, [...notJson, ...badYear]);
    await waitUntil('four dead letters', async () => (await letters(dir)).length === 4, {
      timeoutMs: 60_000,
      everyMs: 1_000,
    });

    const listed = await letters(dir);
    expect(
      listed
        .filter((l) => l.reason_class === 'not JSON')
        .map((l) => l.key)
        .sort(),
    ).toEqual(['nj-1', 'nj-2', 'nj-3']);
    expect(listed.find((l) => l.key === 'by-1')).toMatchObject({
      reason_class: 'invalid year',
      request_id: 'by-1',
    });
    expect((await letters(dir, ['--reason', 'not json'])).length).toBe(3);

    const dry = await cli([
      'dlq',
      'redrive',
      '--reason',
      'not JSON',
      '--dry-run',
      '--config-dir',
      dir,
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/would redrive 3 dead letter/);

    const redrive = async (extra: string[] = []) => {
      const result = await cli([
        'dlq',
        'redrive',
        '--reason',
        'not JSON',
        '--json',
        '--config-dir',
        dir,
        ...extra,
      ]);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as {
        sent: number;
        refused: number;
        refusals: Array<{why: string}>;
      };
    };
    // Each round: the three come back (nothing was fixed) carrying one more redrive.
    for (let round = 1; round <= 3; round++) {
      expect(await redrive()).toMatchObject({sent: 3});
      await waitUntil(
        `round ${round}'s letters`,
        async () =>
          (await letters(dir, ['--reason', 'not json'])).filter((l) => l.redrive_count === round)
            .length === 3,
        {timeoutMs: 60_000, everyMs: 1_000},
      );
    }
    const redriven = await readCommitted(brokers, topics.requests, {expected: 13, settleMs: 500});
    const copies = redriven.filter((m) => m.key === 'nj-1');
    const count = (m: (typeof copies)[number]) => m.headers['wine-tui-redrive-count'] ?? '0';
    expect(copies.map(count).sort()).toEqual(['0', '1', '2', '3']);
    // Each copy names the letter it came from: the previous round's, on the dead-letter topic.
    const froms = copies
      .filter((m) => count(m) !== '0')
      .map((m) => m.headers['wine-tui-redriven-from']);
    const letterAt = new RegExp(`^${topics.deadLetters.replace(/\./g, '\\.')}/0/(\\d+)$`);
    expect(froms.every((from) => letterAt.test(from ?? ''))).toBe(true);
    expect(new Set(froms).size).toBe(3);
    expect(copies.every((m) => m.value?.toString() === 'this is not json')).toBe(true);

    // At the limit: refused without --force, sent with it.
    const refused = await redrive();
    expect(refused).toMatchObject({sent: 0, refused: 12});
    expect(refused.refusals.filter((r) => r.why === 'limit')).toHaveLength(3);
    expect(refused.refusals.filter((r) => r.why === 'superseded')).toHaveLength(9);
    expect(await redrive(['--force'])).toMatchObject({sent: 3});
    await waitUntil(
      'the forced round',
      async () =>
        (await letters(dir, ['--reason', 'not json'])).filter((l) => l.redrive_count === 4)
          .length === 3,
      {timeoutMs: 60_000, everyMs: 1_000},
    );
    // The other class was never touched.
    expect((await letters(dir, ['--reason', 'year'])).map((l) => l.redrive_count)).toEqual([0]);
  }, 300_000);

  it('request --wait prints the prediction, and exits 1 naming what did not come back', async () => {
    const {model, dir, group} = await setUp('fleet-c');
    const running = serve(dir, group);
    await running.waitFor(/consuming/);
    const wine = UNICO;
    const answered = await cli([
      'request',
      '--json',
      JSON.stringify({input: wine}),
      '--wait',
      '30',
      '--config-dir',
      dir,
    ]);
    expect(answered.code, answered.stderr).toBe(0);
    const prediction = JSON.parse(answered.stdout) as {
      request_id: string;
      price: number;
      version: string;
    };
    expect(prediction.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(prediction.version).toBe(model.version);
    expect(prediction.price).toBeGreaterThan(0);

    await running.stop('SIGTERM');
    const unanswered = await cli([
      'request',
      '--json',
      JSON.stringify({request_id: 'late-1', input: wine}),
      '--wait',
      '2',
      '--config-dir',
      dir,
    ]);
    expect(unanswered.code).toBe(1);
    expect(unanswered.stderr).toMatch(/no answer within 2 s for 1 of 1 request\(s\): late-1/);
  }, 180_000);
});
