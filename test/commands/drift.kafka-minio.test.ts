/**
 * Input drift on the real broker and MinIO: `wine-tui serve` measures the requests it answers
 * against the serving model's training rows, and reports it in its heartbeat (`status --json`) and
 * on /metrics.
 */
import fs from 'node:fs';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {dedupe, loadWines} from '../../source/ml/dataset.js';
import {parseWineInput} from '../../source/ml/input.js';
import {requireOrSkip} from '../support/ci.js';
import {runCli} from '../support/cli.js';
import {produce} from '../support/kafka.js';
import {awsEnv, createBucket} from '../support/s3.js';
import {answered} from '../support/serve/answers.js';
import {publishModel} from '../support/serve/models.js';
import {ServeRuns} from '../support/serve/runs.js';
import {createServeTopics, uniqueTopics} from '../support/serve/topics.js';
import {kafkaTarget, s3Target, unavailableReason, uniqueName} from '../support/services.js';
import {freePorts} from '../support/stack.js';
import {waitUntil} from '../support/wait.js';

const kafka = kafkaTarget();
const s3 = s3Target();
const skip = requireOrSkip(
  (!kafka && unavailableReason('kafka')) || (!s3 && unavailableReason('s3')),
  'drift integration tests',
);

type Drift = Record<string, {psi: number; unknown_rate: number | null}>;

/** Wines of the data set that make valid requests, in the data set's own proportions. */
const wines = dedupe(loadWines(fs.readFileSync('data/wines_SPA.csv')).rows)
  .map(({price: _price, ...wine}) => wine)
  .filter((wine) => parseWineInput(wine).ok);

describe.skipIf(skip)('input drift on Kafka and MinIO', () => {
  const brokers = kafka?.brokers ?? [];
  const bucket = uniqueName('drift-it').toLowerCase();
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

  it('raises PSI above 0.2 for a region absent from training and shifted ratings, not for the others', async () => {
    const topics = uniqueTopics('drift');
    runs.topics.push(...Object.values(topics));
    await createServeTopics(brokers, topics);
    await publishModel({brokers, s3: s3!, bucket, trainTopic: topics.train});
    const dir = runs.configDir({brokers, topics, s3: s3!, bucket});
    const group = uniqueName('drift-group');
    const [port] = await freePorts(1);
    const serve = runs.start(
      [
        '--config-dir',
        dir,
        '--group',
        group,
        '--heartbeat-every',
        '1',
        '--metrics-port',
        String(port),
      ],
      awsEnv(s3!),
    );
    await serve.waitFor(/consuming/);

    const count = 1_200;
    const drifted = Array.from({length: count}, (_, i) => {
      const wine = wines[(i * 7) % wines.length]!;
      const input = {...wine, region: 'Atlantis', rating: Number((wine.rating! - 0.3).toFixed(1))};
      return {key: `d-${i}`, value: JSON.stringify({request_id: `d-${i}`, input})};
    });
    await produce(brokers, topics.requests, drifted);
    await waitUntil(
      'every request answered',
      async () => (await answered(brokers, group, topics.requests)) >= count,
      {timeoutMs: 60_000, everyMs: 500},
    );

    let drift: Drift | null = null;
    await waitUntil(
      'drift in the heartbeat, over every request',
      async () => {
        const result = await runCli(['status', '--json', '--config-dir', dir, '--group', group], {
          env: awsEnv(s3!),
        });
        expect(result.code, result.stderr).toBe(0);
        const status = JSON.parse(result.stdout) as {drift: Drift | null; instances: unknown[]};
        drift = status.drift;
        return drift !== null && status.instances.length === 1;
      },
      {timeoutMs: 30_000, everyMs: 500},
    );
    const figures = drift! as Drift;
    expect(figures.region!.psi).toBeGreaterThan(0.2);
    expect(figures.region!.unknown_rate).toBe(1);
    expect(figures.rating!.psi).toBeGreaterThan(0.2);
    for (const [field, f] of Object.entries(figures)) {
      if (field !== 'region' && field !== 'rating') expect(f.psi, field).toBeLessThan(0.2);
    }

    // /metrics says the same, parsed by a Prometheus text-format parser.
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    const families = parsePrometheusTextFormat(await response.text());
    const psi = new Map(
      families
        .find((f) => f.name === 'wine_tui_serve_input_drift_psi')!
        .metrics.map((m) => [(m as {labels: {field: string}}).labels.field, Number(m.value)]),
    );
    expect(psi.get('region')).toBeGreaterThan(0.2);
    expect(psi.get('rating')).toBeGreaterThan(0.2);
    expect(psi.get('winery')).toBeLessThan(0.2);
    const unknown = families.find((f) => f.name === 'wine_tui_serve_unknown_category_rate')!;
    expect(
      unknown.metrics.find((m) => (m as {labels: {field: string}}).labels.field === 'region')
        ?.value,
    ).toBe('1');
  }, 180_000);
});
