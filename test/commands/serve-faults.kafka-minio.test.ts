/**
 * `wine-tui serve` while its broker or its object store goes away. Each test starts a private
 * broker or MinIO (test/support/stack.ts) to stop and restart, never the suite's shared ones.
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {PredictionMessage as PredictionOutput} from '../../source/services/app/modelWorkflow.js';
import {requireOrSkip} from '../support/ci.js';
import {createTopics, openProducer, produce, readCommitted, withAdmin} from '../support/kafka.js';
import {PacedProducer} from '../support/pacedProducer.js';
import {awsEnv, createBucket} from '../support/s3.js';
import {answered, compareAnswers} from '../support/serve/answers.js';
import {publishModel} from '../support/serve/models.js';
import {requestMessages} from '../support/serve/requests.js';
import {ServeRuns} from '../support/serve/runs.js';
import {createServeTopics, uniqueTopics} from '../support/serve/topics.js';
import {kafkaTarget, s3Target, unavailableReason, uniqueName} from '../support/services.js';
import {PrivateStack, privateStackUnavailable} from '../support/stack.js';
import {waitUntil} from '../support/wait.js';

const kafka = kafkaTarget();
const s3 = s3Target();
const skip = requireOrSkip(
  (!kafka && unavailableReason('kafka')) ||
    (!s3 && unavailableReason('s3')) ||
    privateStackUnavailable(),
  'serve fault tests',
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skip)('wine-tui serve under faults', () => {
  const runs = new ServeRuns();
  const stacks: PrivateStack[] = [];
  const streams: PacedProducer[] = [];

  beforeAll(async () => {}, 240_000);

  afterEach(async () => {
    await Promise.all(streams.splice(0).map((stream) => stream.stop()));
    await runs.stopAll();
    await Promise.all(stacks.splice(0).map((stack) => stack.destroy()));
  }, 120_000);

  afterAll(async () => {
    // Those on the suite's broker; a private broker goes away with its data.
    await runs.remove(kafka!.brokers);
  });

  it('reconnects after its broker restarts mid-stream and finishes with nothing lost or repeated', async () => {
    const stack = await PrivateStack.create();
    stacks.push(stack);
    await stack.kafka('up');
    const brokers = stack.brokers;
    const bucket = uniqueName('serve-broker').toLowerCase();
    await createBucket(s3!, bucket);
    const topics = uniqueTopics('serve-c');
    await createServeTopics(brokers, topics);
    await publishModel({brokers, s3: s3!, bucket, trainTopic: topics.train});
    const group = uniqueName('serve-c-group');
    const serve = runs.start(
      ['--config-dir', runs.configDir({brokers, topics, s3: s3!, bucket}), '--group', group],
      awsEnv(s3!),
    );
    await serve.waitFor(/consuming/);

    // Requests keep coming; a chunk the broker refused (it is down) is sent again. A retry after
    // an ambiguous failure may store a request twice: the comparison below counts per message.
    // Held at 4,000 until the broker is down, so that it goes away mid-stream on any machine.
    const total = 10_000;
    const flow = new PacedProducer(
      await openProducer(brokers),
      topics.requests,
      (from, count) => requestMessages('c', from, count),
      {total, chunk: 200, limit: 4_000, pauseMs: 100, retry: true},
    );
    streams.push(flow);

    await waitUntil(
      '2,000 requests answered',
      async () => (await answered(brokers, group, topics.requests)) >= 2_000,
      {
        timeoutMs: 120_000,
      },
    );
    expect(flow.produced).toBeLessThan(total); // the broker goes away mid-stream
    await stack.kafka('down');
    // The rest is sent while it is down (refused, sent again) and after it is back.
    flow.allowAll();
    await sleep(2_000);
    await stack.kafka('up');
    await flow.finished;

    const stored = async () =>
      withAdmin(brokers, async (admin) =>
        (await admin.fetchTopicOffsets(topics.requests)).reduce(
          (sum, p) => sum + Number(p.high),
          0,
        ),
      );
    const inTopic = await stored();
    expect(inTopic).toBeGreaterThanOrEqual(total);
    await waitUntil(
      'every request answered',
      async () => (await answered(brokers, group, topics.requests)) === inTopic,
      {
        timeoutMs: 240_000,
        everyMs: 500,
      },
    );
    expect(serve.child.exitCode).toBeNull(); // it never gave up
    expect(await serve.stop('SIGTERM')).toEqual({code: 0, signal: null});
    expect(await compareAnswers(brokers, topics, inTopic), serve.output).toEqual({
      requests: inTopic,
      predictions: inTopic,
      missing: [],
      repeated: [],
    });
  }, 600_000);

  it('keeps serving the old model while MinIO is down and loads the announced one once it is back', async () => {
    const brokers = kafka!.brokers;
    const stack = await PrivateStack.create();
    stacks.push(stack);
    await stack.minio('up');
    const store = stack.s3;
    const bucket = uniqueName('serve-minio').toLowerCase();
    await createBucket(store, bucket);
    const topics = uniqueTopics('serve-d');
    const staging = `${topics.train}.staging`;
    runs.topics.push(...Object.values(topics), staging);
    await createTopics(brokers, [
      {topic: topics.train, numPartitions: 1},
      {topic: staging, numPartitions: 1},
      {topic: topics.requests, numPartitions: 3},
      {topic: topics.predictions, numPartitions: 3},
      {topic: topics.deadLetters, numPartitions: 1},
    ]);
    const v1 = await publishModel({brokers, s3: store, bucket, trainTopic: topics.train, seed: 1});
    // v2 is uploaded now (announced on a side topic), and announced for real once MinIO is down.
    const v2 = await publishModel({brokers, s3: store, bucket, trainTopic: staging, seed: 2});
    expect(v2.version).not.toBe(v1.version);
    const [announcement] = await readCommitted(brokers, staging, {expected: 1, settleMs: 200});

    const group = uniqueName('serve-d-group');
    const serve = runs.start(
      ['--config-dir', runs.configDir({brokers, topics, s3: store, bucket}), '--group', group],
      awsEnv(store),
    );
    await serve.waitFor(/consuming/);
    const versionsOf = async (prefix: string, count: number, total: number) => {
      await waitUntil(
        `${total} answered`,
        async () => (await answered(brokers, group, topics.requests)) >= total,
      );
      const all = await readCommitted(brokers, topics.predictions, {
        expected: total,
        settleMs: 500,
      });
      return new Set(
        all
          .filter((m) => m.key?.startsWith(`${prefix}-`))
          .map((m) => (JSON.parse(m.value!.toString()) as PredictionOutput).version),
      );
    };

    await produce(brokers, topics.requests, requestMessages('d1', 0, 100));
    expect(await versionsOf('d1', 100, 100)).toEqual(new Set([v1.version]));

    await stack.minio('down');
    await produce(brokers, topics.train, [{key: announcement!.key, value: announcement!.value}]);
    await serve.waitFor(
      new RegExp(`could not load model version ${v2.version}.*still serving ${v1.version}`),
    );
    await produce(brokers, topics.requests, requestMessages('d2', 0, 100));
    expect(await versionsOf('d2', 100, 200)).toEqual(new Set([v1.version]));

    await stack.minio('up');
    // Loaded in the background on a retry; it takes over with the next batch.
    await serve.waitFor(new RegExp(`loaded model version ${v2.version}`), 90_000);
    await produce(brokers, topics.requests, requestMessages('d3', 0, 100));
    expect(await versionsOf('d3', 100, 300)).toEqual(new Set([v2.version]));
    await serve.waitFor(
      new RegExp(`now serving model version ${v2.version} \\(was ${v1.version}\\)`),
    );

    expect(await serve.stop('SIGTERM')).toEqual({code: 0, signal: null});
    expect(serve.output).not.toContain(store.secretAccessKey);
  }, 300_000);
});
