import {createServer, type Server} from 'node:net';
import type {Message} from 'kafkajs';
import parsePrometheusTextFormat, {type ParsedFamily} from 'parse-prometheus-text-format';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {parseRequest} from '../../source/services/predictor/requests.js';
import {requireOrSkip} from '../support/ci.js';
import {produce} from '../support/kafka.js';
import {awsEnv, createBucket} from '../support/s3.js';
import {answered} from '../support/serve/answers.js';
import {publishModel} from '../support/serve/models.js';
import {badRequests, requestMessages} from '../support/serve/requests.js';
import {ServeRuns} from '../support/serve/runs.js';
import {createServeTopics, uniqueTopics} from '../support/serve/topics.js';
import {kafkaTarget, s3Target, unavailableReason, uniqueName} from '../support/services.js';
import {freePorts} from '../support/stack.js';
import {waitUntil} from '../support/wait.js';

const kafka = kafkaTarget();
const s3 = s3Target();
const skip = requireOrSkip(
  (!kafka && unavailableReason('kafka')) || (!s3 && unavailableReason('s3')),
  'serve metrics integration tests',
);

const P = 'wine_tui_serve_';

/** GET `url` as a probe would: status and body, or status 0 while nothing listens. */
async function get(url: string): Promise<{status: number; body: string}> {
  try {
    const response = await fetch(url, {signal: AbortSignal.timeout(5_000)});
    return {status: response.status, body: await response.text()};
  } catch {
    return {status: 0, body: ''};
  }
}

/** /metrics as Prometheus reads it, parsed by a text-format parser (not by our own code). */
async function scrape(base: string): Promise<Map<string, ParsedFamily>> {
  const response = await fetch(`${base}/metrics`, {signal: AbortSignal.timeout(5_000)});
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusTextFormat(await response.text());
  return new Map(families.map((family) => [family.name, family]));
}

const samples = (families: Map<string, ParsedFamily>, name: string) =>
  families.get(name)?.metrics ?? [];

const total = (families: Map<string, ParsedFamily>, name: string) =>
  samples(families, name).reduce((sum, sample) => sum + Number(sample.value), 0);

describe.skipIf(skip)('wine-tui serve --metrics-port on Kafka and MinIO', () => {
  const brokers = kafka?.brokers ?? [];
  const bucket = uniqueName('serve-metrics').toLowerCase();
  const runs = new ServeRuns();
  const blockers: Server[] = [];

  beforeAll(async () => {
    await createBucket(s3!, bucket);
  }, 240_000);

  afterEach(async () => {
    await runs.stopAll();
    await Promise.all(blockers.splice(0).map((b) => new Promise((resolve) => b.close(resolve))));
  });

  afterAll(async () => {
    await runs.remove(brokers);
  });

  /** Fresh topics (3 request partitions, room for a 5 MB bad request) and a config folder. */
  async function setUp(prefix: string) {
    const topics = uniqueTopics(prefix);
    runs.topics.push(...Object.values(topics));
    await createServeTopics(brokers, topics, {largeRequests: true});
    const dir = runs.configDir({brokers, topics, s3: s3!, bucket});
    const [port] = await freePorts(1);
    return {topics, dir, group: uniqueName(`${prefix}-group`), port: port!};
  }

  it('is ready only with a model and a group, and counts what it answered', async () => {
    const {topics, dir, group, port} = await setUp('serve-metrics');
    const base = `http://127.0.0.1:${port}`;
    const serve = runs.start(
      [
        ...['--config-dir', dir, '--group', group, '--json'],
        ...['--metrics-port', String(port), '--heartbeat-every', '1'],
      ],
      awsEnv(s3!),
    );
    await waitUntil(
      '/healthz',
      async () => {
        if (serve.child.exitCode !== null) throw new Error(`serve exited:\n${serve.output}`);
        return (await get(`${base}/healthz`)).status === 200;
      },
      {timeoutMs: 60_000},
    );
    expect(await get(`${base}/healthz`)).toEqual({status: 200, body: 'ok\n'});

    // No version announced yet: alive, not ready, and nothing served.
    await serve.waitFor(/"event":"waiting"/);
    const waiting = await get(`${base}/readyz`);
    expect(waiting.status, serve.output).toBe(503);
    expect(waiting.body).toMatch(/model/);
    const before = await scrape(base);
    expect(samples(before, `${P}model_info`)).toEqual([]);
    expect(total(before, `${P}requests_total`)).toBe(0);

    const model = await publishModel({brokers, s3: s3!, bucket, trainTopic: topics.train});
    await serve.waitFor(/"event":"started"/);
    await waitUntil('/readyz 200', async () => (await get(`${base}/readyz`)).status === 200, {
      timeoutMs: 60_000,
    });

    const bad = badRequests('bad');
    const good = requestMessages('m', 0, 300);
    const mixed: Message[] = [...good];
    bad.forEach((b, i) => mixed.splice(i * 20 + 3, 0, {key: b.key, value: b.value}));
    await produce(brokers, topics.requests, mixed, {chunk: 50});
    const n = good.length;
    const m = bad.length;

    // The counters move after each commit: wait for the last one.
    await waitUntil(
      `${n + m} requests counted`,
      async () => total(await scrape(base), `${P}requests_total`) === n + m,
      {timeoutMs: 90_000, everyMs: 500},
    );
    expect(await answered(brokers, group, topics.requests)).toBe(n + m);
    const after = await scrape(base);
    expect(total(after, `${P}requests_total`)).toBe(n + m);

    const deadLetters = samples(after, `${P}dead_letters_total`);
    expect(deadLetters.reduce((sum, s) => sum + Number(s.value), 0)).toBe(m);
    // By reason class, as the service classifies each bad request.
    const expectedClasses: Record<string, number> = {};
    for (const {value} of bad) {
      const parsed = parseRequest(value);
      if (parsed.ok) throw new Error('a bad request parsed as good');
      expectedClasses[parsed.reasonClass] = (expectedClasses[parsed.reasonClass] ?? 0) + 1;
    }
    expect(
      Object.fromEntries(deadLetters.map((s) => [s.labels?.reason_class, Number(s.value)])),
    ).toEqual(expectedClasses);

    const [latency] = samples(after, `${P}request_latency_seconds`);
    expect(Number(latency?.count)).toBe(n + m);
    expect(Number(latency?.buckets?.['+Inf'])).toBe(n + m);
    expect(Number(latency?.sum)).toBeGreaterThan(0);
    expect(total(after, `${P}transactions_committed_total`)).toBeGreaterThanOrEqual(1);
    expect(samples(after, `${P}transactions_aborted_total`)).toHaveLength(1);
    expect(samples(after, `${P}model_info`)).toEqual([
      {value: '1', labels: {group, version: model.version}},
    ]);

    // Lag per partition of the requests topic, read again every heartbeat: 0 once all is answered.
    await waitUntil(
      'lag 0 on every partition',
      async () => {
        const lag = samples(await scrape(base), `${P}lag_messages`);
        return (
          lag.length === 3 &&
          lag.every((s) => s.labels?.topic === topics.requests && Number(s.value) === 0)
        );
      },
      {timeoutMs: 30_000, everyMs: 500},
    );
    const partitions = samples(await scrape(base), `${P}lag_messages`).map(
      (s) => s.labels?.partition,
    );
    expect(partitions.sort()).toEqual(['0', '1', '2']);

    expect(await serve.stop('SIGTERM')).toEqual({code: 0, signal: null});
    // Gone with the process: nothing left listening on the port.
    expect((await get(`${base}/healthz`)).status).toBe(0);
  }, 240_000);

  it('refuses a metrics port in use with one line, and exits 2', async () => {
    const {dir, group, port} = await setUp('serve-metrics-busy');
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const serve = runs.start(
      ['--config-dir', dir, '--group', group, '--metrics-port', String(port)],
      awsEnv(s3!),
    );
    expect(await serve.exited).toEqual({code: 2, signal: null});
    const lines = serve.stderr.trim().split('\n');
    expect(lines.at(-1)).toBe(
      `wine-tui: metrics: 127.0.0.1:${port} is already in use: choose another --metrics-port`,
    );
    expect(serve.stderr).not.toMatch(/\bat .*\.js:\d+/);
  }, 120_000);
});
