/**
 * `wine-tui serve` when its requests or dead-letter topic is missing, on the suite's real broker
 * (auto.create.topics.enable=false there, as on most production clusters).
 *
 * What is expected of a long-running service:
 * - at start, a missing topic is created (serve --help: "Missing topics are created with the
 *   broker's defaults"); one that cannot be created stops it with one line naming the topic and
 *   exit code 2, before it consumes anything;
 * - while running, a topic that goes away is said once, naming it and the fix
 *   (`wine-tui doctor --create-topics`), without a flood of lines; nothing is lost or committed
 *   meanwhile, and the service carries on once the topic is back (or exits 2 on a missing
 *   requests topic).
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {requireOrSkip} from '../support/ci.js';
import {runCli} from '../support/cli.js';
import {createTopics, produce, readCommitted, withAdmin} from '../support/kafka.js';
import {awsEnv, createBucket} from '../support/s3.js';
import {publishModel} from '../support/serve/models.js';
import {goodRequest} from '../support/serve/requests.js';
import {ServeRuns} from '../support/serve/runs.js';
import {uniqueTopics, type ServeTopics} from '../support/serve/topics.js';
import {kafkaTarget, s3Target, unavailableReason, uniqueName} from '../support/services.js';
import {waitUntil} from '../support/wait.js';

const kafka = kafkaTarget();
const s3 = s3Target();
const skip = requireOrSkip(
  (!kafka && unavailableReason('kafka')) || (!s3 && unavailableReason('s3')),
  'serve topic tests',
);

type Role = keyof ServeTopics;
const FIX = 'wine-tui doctor --create-topics';
/** The periodic throughput reports: not what these tests look at. */
const isReport = (line: string) => /req\/s, p50/.test(line);
/** For a failure message: how many lines, and the first few. */
const summary = (lines: string[]) =>
  `${lines.length} line(s) said:\n${lines.slice(0, 5).join('\n')}${lines.length > 5 ? '\n…' : ''}`;
const request = (id: string, index = 1) => ({
  key: id,
  value: JSON.stringify(goodRequest(id, index)),
});

describe.skipIf(skip)('wine-tui serve when its topics are missing', () => {
  const brokers = kafka?.brokers ?? [];
  const bucket = uniqueName('serve-topics').toLowerCase();
  const runs = new ServeRuns();

  beforeAll(async () => {
    await createBucket(s3!, bucket);
  }, 120_000);

  afterEach(async () => {
    await runs.stopAll();
  });

  afterAll(async () => {
    await runs.remove(brokers);
  });

  /** Topics named for this test; only those in `existing` are created. A model is published. */
  async function setUp(
    prefix: string,
    existing: Role[],
    others: (topics: ServeTopics) => string[] = () => [],
  ) {
    const topics = uniqueTopics(prefix);
    const extra = others(topics);
    runs.topics.push(...Object.values(topics), ...extra);
    const names = [...existing.map((role) => topics[role]), ...extra];
    await createTopics(
      brokers,
      [...new Set([topics.train, ...names])].map((topic) => ({topic})),
    );
    await publishModel({brokers, s3: s3!, bucket, trainTopic: topics.train});
    const dir = runs.configDir({brokers, topics, s3: s3!, bucket});
    return {topics, dir, group: uniqueName(`${prefix}-group`)};
  }

  const start = (dir: string, group: string) =>
    runs.start(['--config-dir', dir, '--group', group, '--report-every', '5'], awsEnv(s3!));

  const keysOf = async (topic: string, expected: number) =>
    (await readCommitted(brokers, topic, {expected, timeoutMs: 60_000, settleMs: 1_000}))
      .map((m) => m.key)
      .sort();

  const topicList = () => withAdmin(brokers, (admin) => admin.listTopics());

  it('creates a missing requests and dead-letter topic at start and answers from them', async () => {
    const {topics, dir, group} = await setUp('serve-t-create', ['predictions']);
    const serve = start(dir, group);
    await serve.waitFor(/consuming /);
    const listed = await topicList();
    expect(listed).toEqual(expect.arrayContaining([topics.requests, topics.deadLetters]));

    await produce(brokers, topics.requests, [request('t-good'), {key: 't-bad', value: 'no json'}]);
    expect(await keysOf(topics.predictions, 1)).toEqual(['t-good']);
    expect(await keysOf(topics.deadLetters, 1)).toEqual(['t-bad']);
    expect(await serve.stop('SIGTERM')).toEqual({code: 0, signal: null});
  }, 120_000);

  // The broker refuses a name that collides with an existing topic ('.' and '_' are the same to
  // its metrics): the real-broker way to make creating a topic fail without an authorizer.
  it.each<Role>(['requests', 'deadLetters'])(
    'does not start when the %s topic is missing and cannot be created: one line naming it, exit 2',
    async (role) => {
      const roles: Role[] = ['requests', 'predictions', 'deadLetters'];
      const {topics, dir, group} = await setUp(
        'serve-t-refused',
        roles.filter((r) => r !== role),
        (names) => [names[role].replaceAll('.', '_')],
      );
      const result = await runCli(['serve', '--config-dir', dir, '--group', group], {
        env: awsEnv(s3!),
        timeoutMs: 60_000,
      });
      const lines = result.stderr.trim().split('\n');
      expect({code: result.code, stdout: result.stdout, lines}).toEqual({
        code: 2,
        stdout: '',
        lines: [expect.stringContaining(topics[role])],
      });
      expect(lines[0]).not.toMatch(/unexpected error|\bat .*\.js:\d+/);
      // Nothing was consumed: the group never committed an offset.
      const [offsets] = await withAdmin(brokers, (admin) =>
        admin.fetchOffsets({groupId: group, topics: [topics.requests]}).catch(() => []),
      );
      expect((offsets?.partitions ?? []).every((p) => Number(p.offset) < 0)).toBe(true);
    },
    90_000,
  );

  it('says once which requests topic is gone and how to create it, then carries on or exits 2', async () => {
    const {topics, dir, group} = await setUp('serve-t-gone', [
      'requests',
      'predictions',
      'deadLetters',
    ]);
    const serve = start(dir, group);
    await serve.waitFor(/consuming /);
    await produce(brokers, topics.requests, [request('g-before')]);
    expect(await keysOf(topics.predictions, 1)).toEqual(['g-before']);

    const mark = serve.lines.length;
    await withAdmin(brokers, (admin) => admin.deleteTopics({topics: [topics.requests]}));
    // Long enough for a consumer that restarts on every failed fetch to say so many times.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const said = serve.lines.slice(mark).filter((line) => !isReport(line));

    await createTopics(brokers, [{topic: topics.requests}]);
    if (serve.child.exitCode === null) {
      await produce(brokers, topics.requests, [request('g-after', 2)]);
      expect(await keysOf(topics.predictions, 2)).toEqual(['g-after', 'g-before']);
    } else {
      expect(serve.child.exitCode).toBe(2);
    }

    const shown = summary(said);
    expect(
      said.some((line) => line.includes(topics.requests) && line.includes(FIX)),
      shown,
    ).toBe(true);
    expect(said.length, shown).toBeLessThanOrEqual(3);
    expect(said.join('\n'), shown).not.toMatch(/MaxListenersExceededWarning|\bat .*\.js:\d+/);
  }, 150_000);

  it('keeps the requests whose dead-letter topic is gone, names it and the fix, and delivers once it is back', async () => {
    const {topics, dir, group} = await setUp('serve-t-dlq', [
      'requests',
      'predictions',
      'deadLetters',
    ]);
    const serve = start(dir, group);
    await serve.waitFor(/consuming /);
    await produce(brokers, topics.requests, [request('d-before')]);
    expect(await keysOf(topics.predictions, 1)).toEqual(['d-before']);

    const mark = serve.lines.length;
    await withAdmin(brokers, (admin) => admin.deleteTopics({topics: [topics.deadLetters]}));
    await produce(brokers, topics.requests, [
      {key: 'd-bad', value: 'not json'},
      request('d-after', 2),
    ]);
    const spoke = () => serve.lines.slice(mark).some((line) => /warning/.test(line));
    await waitUntil('a warning about the failed batch', spoke, {timeoutMs: 60_000});
    expect(serve.child.exitCode).toBeNull();

    await createTopics(brokers, [{topic: topics.deadLetters}]);
    // Nothing lost, nothing twice: the batch went through whole once the topic was back.
    expect(await keysOf(topics.deadLetters, 1)).toEqual(['d-bad']);
    expect(await keysOf(topics.predictions, 2)).toEqual(['d-after', 'd-before']);

    const said = serve.lines.slice(mark).filter((line) => !isReport(line));
    const shown = summary(said);
    expect(
      said.some((line) => line.includes(topics.deadLetters) && line.includes(FIX)),
      shown,
    ).toBe(true);
    expect(said.length, shown).toBeLessThanOrEqual(3);
  }, 150_000);
});
