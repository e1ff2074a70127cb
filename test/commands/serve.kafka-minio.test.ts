import {createHash} from 'node:crypto';
import type {Message} from 'kafkajs';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {PredictionMessage as PredictionOutput} from '../../source/services/app/modelWorkflow.js';
import type {DeadLetter} from '../../source/services/predictor/deadLetters.js';
import {requireOrSkip} from '../support/ci.js';
import {openProducer, produce, readCommitted, withAdmin} from '../support/kafka.js';
import {PacedProducer} from '../support/pacedProducer.js';
import {awsEnv, createBucket} from '../support/s3.js';
import {answered, compareAnswers} from '../support/serve/answers.js';
import {publishModel} from '../support/serve/models.js';
import {badRequests, requestMessages} from '../support/serve/requests.js';
import {ServeRuns} from '../support/serve/runs.js';
import {createServeTopics, uniqueTopics, type ServeTopics} from '../support/serve/topics.js';
import {kafkaTarget, s3Target, unavailableReason, uniqueName} from '../support/services.js';
import {waitUntil} from '../support/wait.js';

const kafka = kafkaTarget();
const s3 = s3Target();
const skip = requireOrSkip(
  (!kafka && unavailableReason('kafka')) || (!s3 && unavailableReason('s3')),
  'serve integration tests',
);

describe.skipIf(skip)('wine-tui serve on Kafka and MinIO', () => {
  const brokers = kafka?.brokers ?? [];
  const bucket = uniqueName('serve-it').toLowerCase();
  const runs = new ServeRuns();
  const streams: PacedProducer[] = [];

  beforeAll(async () => {
    await createBucket(s3!, bucket);
  }, 240_000);

  afterEach(async () => {
    await Promise.all(streams.splice(0).map((stream) => stream.stop()));
    await runs.stopAll();
  });

  afterAll(async () => {
    await runs.remove(brokers);
  });

  /** Fresh topics (3 request partitions), a published model and a config folder. */
  async function setUp(prefix: string) {
    const topics = uniqueTopics(prefix);
    runs.topics.push(...Object.values(topics));
    await createServeTopics(brokers, topics, {largeRequests: true});
    const model = await publishModel({brokers, s3: s3!, bucket, trainTopic: topics.train});
    const dir = runs.configDir({brokers, topics, s3: s3!, bucket});
    return {topics, model, dir, group: uniqueName(`${prefix}-group`)};
  }

  const start = (dir: string, group: string, extra: string[] = []) =>
    runs.start(
      ['--config-dir', dir, '--group', group, '--report-every', '1', ...extra],
      awsEnv(s3!),
    );

  /** Requests `${prefix}-0` ... produced in chunks of 250, held at `limit` until allowed more. */
  async function stream(
    prefix: string,
    topics: ServeTopics,
    {total, limit, pauseMs}: {total: number; limit: number; pauseMs: number},
  ): Promise<PacedProducer> {
    const producer = new PacedProducer(
      await openProducer(brokers),
      topics.requests,
      (from, count) => requestMessages(prefix, from, count),
      {total, chunk: 250, limit, pauseMs},
    );
    streams.push(producer);
    return producer;
  }

  async function expectOnePredictionPerRequest(topics: ServeTopics, total: number) {
    // On failure, what every instance of the test said.
    expect(await compareAnswers(brokers, topics, total), runs.said()).toEqual({
      requests: total,
      predictions: total,
      missing: [],
      repeated: [],
    });
  }

  it('answers 1,000 requests with one prediction each and dead-letters every bad one with its reason', async () => {
    const {topics, model, dir, group} = await setUp('serve-a');
    const serve = start(dir, group);
    await serve.waitFor(/consuming .*exactly-once/);

    const bad = badRequests('bad');
    const good = requestMessages('a', 0, 1_000 - bad.length);
    // Bad requests scattered among the good ones.
    const mixed: Message[] = [...good];
    bad.forEach((b, i) => mixed.splice(i * 80 + 7, 0, {key: b.key, value: b.value}));
    await produce(brokers, topics.requests, mixed, {chunk: 100});

    const [predictions, deadLetters] = await Promise.all([
      readCommitted(brokers, topics.predictions, {expected: good.length, timeoutMs: 90_000}),
      readCommitted(brokers, topics.deadLetters, {expected: bad.length, timeoutMs: 90_000}),
    ]);
    expect(predictions.length).toBe(good.length);
    const byId = new Map(
      predictions.map((m) => [m.key, JSON.parse(m.value!.toString()) as PredictionOutput]),
    );
    expect([...byId.keys()].sort()).toEqual(good.map((g) => g.key).sort());
    for (const {key, value} of good.slice(0, 50)) {
      const request = JSON.parse(value) as {input?: Record<string, unknown>} & Record<
        string,
        unknown
      >;
      const prediction = byId.get(key)!;
      expect(prediction).toMatchObject({request_id: key, version: model.version});
      expect(prediction.input.winery).toBe((request.input ?? request).winery);
      expect(prediction.price).toBeGreaterThan(0);
      expect(Array.isArray(prediction.unknown)).toBe(true);
      expect(Date.parse(prediction.time)).not.toBeNaN();
      expect(prediction.latency_ms).toBeGreaterThanOrEqual(0);
    }

    expect(deadLetters.map((d) => d.key).sort()).toEqual(bad.map((b) => b.key).sort());
    for (const expected of bad) {
      const dead = deadLetters.find((d) => d.key === expected.key)!;
      const letter = JSON.parse(dead.value!.toString()) as DeadLetter;
      expect(letter.reason).toContain(expected.reason);
      expect(dead.headers['wine-tui-reason']).toBe(letter.reason);
      expect(letter).toMatchObject({topic: topics.requests, key: expected.key});
      expect(dead.headers['wine-tui-offset']).toBe(String(letter.offset));
      if (expected.value === null) {
        expect(letter.value_base64).toBeNull();
        continue;
      }
      expect(letter.size).toBe(expected.value.length);
      expect(letter.sha256).toBe(createHash('sha256').update(expected.value).digest('hex'));
      const kept = Buffer.from(letter.value_base64!, 'base64');
      expect(letter.truncated).toBe(expected.value.length > 64 * 1024);
      expect(kept).toEqual(expected.value.subarray(0, 64 * 1024));
    }

    expect(await serve.stop('SIGTERM')).toEqual({code: 0, signal: null});
    expect(serve.output).toMatch(/stopped after .*: 1000 requests/);
    expect(await answered(brokers, group, topics.requests)).toBe(1_000);
  }, 180_000);

  it('loses and repeats nothing when killed with SIGKILL three times while 20,000 requests flow', async () => {
    const {topics, dir, group} = await setUp('serve-b');
    const total = 20_000;
    let serve = start(dir, group);
    await serve.waitFor(/consuming/);
    // About 500 requests/s, and never more than 5,000 past what the previous kill allowed: requests
    // are still to come at every kill and restart, on a fast machine as on a loaded one.
    const step = 5_000;
    const flow = await stream('b', topics, {total, limit: step, pauseMs: 500});
    let before = 0;
    for (let kill = 1; kill <= 3; kill++) {
      // Each instance is killed once it has answered 1,000 more: mid-stream, transactions open.
      await waitUntil(
        `${before + 1_000} requests answered`,
        async () => (await answered(brokers, group, topics.requests)) >= before + 1_000,
        {timeoutMs: 120_000},
      );
      serve.child.kill('SIGKILL');
      await serve.exited;
      expect(flow.produced).toBeLessThan(total);
      // What the killed instance committed; the next one must answer 1,000 more than that.
      before = await answered(brokers, group, topics.requests);
      flow.allow((kill + 1) * step);
      serve = start(dir, group);
      await serve.waitFor(/consuming/);
    }
    flow.allowAll();
    await flow.finished;
    await waitUntil(
      'every request answered',
      async () => (await answered(brokers, group, topics.requests)) === total,
      {timeoutMs: 180_000, everyMs: 500},
    );
    expect(await serve.stop('SIGTERM')).toEqual({code: 0, signal: null});
    await expectOnePredictionPerRequest(topics, total);
  }, 420_000);

  it('answers at-least-once without transactions when asked to', async () => {
    const {topics, dir, group} = await setUp('serve-g');
    const serve = start(dir, group, ['--at-least-once']);
    await serve.waitFor(/consuming .*at-least-once \(offsets committed after publishing\)/);
    await produce(brokers, topics.requests, requestMessages('g', 0, 500));
    await waitUntil(
      '500 answered',
      async () => (await answered(brokers, group, topics.requests)) === 500,
    );
    expect(await serve.stop('SIGTERM')).toEqual({code: 0, signal: null});
    await expectOnePredictionPerRequest(topics, 500);
  }, 120_000);

  it('shares the partitions among instances of one group, each request answered once', async () => {
    const {topics, dir, group} = await setUp('serve-f');
    const instances = [start(dir, group, ['--json']), start(dir, group, ['--json'])];
    await Promise.all(instances.map((serve) => serve.waitFor(/"event":"started"/)));
    await waitUntil('both instances in the group', async () =>
      withAdmin(brokers, async (admin) => {
        const [description] = (await admin.describeGroups([group])).groups;
        return description?.state === 'Stable' && description.members.length === 2;
      }),
    );
    const total = 3_000;
    await produce(brokers, topics.requests, requestMessages('f', 0, total), {chunk: 300});
    await waitUntil(
      'every request answered',
      async () => (await answered(brokers, group, topics.requests)) === total,
    );
    const finals = [];
    for (const serve of instances) {
      expect(await serve.stop('SIGTERM')).toEqual({code: 0, signal: null});
      const line = serve.lines.find((l) => l.includes('"event":"final"'))!;
      finals.push((JSON.parse(line) as {total_requests: number}).total_requests);
    }
    // Both did a share (3 partitions between 2 members), and no request was answered twice.
    expect(finals.every((n) => n > 0)).toBe(true);
    expect(finals[0]! + finals[1]!).toBe(total);
    await expectOnePredictionPerRequest(topics, total);
  }, 180_000);

  it('finishes and commits the batch in hand on SIGTERM, leaves the group and exits 0', async () => {
    const {topics, dir, group} = await setUp('serve-e');
    const total = 5_000;
    const serve = start(dir, group, ['--json']);
    await serve.waitFor(/"event":"started"/);
    // Held at 2,000 until the stop is over: the stop comes mid-stream however long the group join
    // and the first 1,000 answers take.
    const flow = await stream('e', topics, {total, limit: 2_000, pauseMs: 200});
    await waitUntil(
      '1,000 answers',
      async () => (await answered(brokers, group, topics.requests)) >= 1_000,
      {timeoutMs: 120_000},
    );
    expect(await serve.stop('SIGTERM')).toEqual({code: 0, signal: null});
    expect(flow.produced).toBeLessThan(total); // stopped mid-stream
    flow.allowAll();

    const done = await answered(brokers, group, topics.requests);
    // What was committed is exactly what is visible: no transaction was left open or half done.
    const visible = await readCommitted(brokers, topics.predictions, {
      expected: done,
      timeoutMs: 30_000,
    });
    expect(visible.length).toBe(done);
    const final = JSON.parse(serve.lines.find((l) => l.includes('"event":"final"'))!) as {
      total_requests: number;
    };
    expect(final.total_requests).toBe(done);
    const [description] = await withAdmin(
      brokers,
      async (admin) => (await admin.describeGroups([group])).groups,
    );
    expect(description?.members).toEqual([]);

    // Whatever was left is answered by the next instance, once.
    await flow.finished;
    const next = start(dir, group);
    await next.waitFor(/consuming/);
    await waitUntil(
      'the rest answered',
      async () => (await answered(brokers, group, topics.requests)) === total,
      {timeoutMs: 120_000},
    );
    expect(await next.stop('SIGTERM')).toEqual({code: 0, signal: null});
    await expectOnePredictionPerRequest(topics, total);
  }, 240_000);
});
