import parsePrometheusTextFormat, {type ParsedFamily} from 'parse-prometheus-text-format';
import {register as globalRegistry} from 'prom-client';
import {describe, expect, it} from 'vitest';
import {
  MAX_REASON_CLASSES,
  OTHER_REASON_CLASS,
  ServeMetrics,
} from '../../../source/services/metrics/ServeMetrics.js';
import type {RequestRecord} from '../../../source/services/ports/RequestStream.js';
import type {ServedBatch} from '../../../source/services/predictor/PredictorService.js';

const P = 'wine_tui_serve_';

function metricsFor(options: {processMetrics?: boolean} = {}) {
  return new ServeMetrics({
    group: 'g1',
    requestsTopic: 'predict_requests',
    processMetrics: false,
    ...options,
  });
}

/** A request that reached the service `agoMs` ago. */
function record(offset: number, agoMs = 0): RequestRecord {
  return {
    topic: 'predict_requests',
    partition: 0,
    offset,
    timestamp: Date.now(),
    key: `r-${offset}`,
    value: Buffer.from('{}'),
    headers: {},
    receivedAt: performance.now() - agoMs,
  };
}

function batchOf(size: number, agoMs = 0): RequestRecord[] {
  return Array.from({length: size}, (_, i) => record(i, agoMs));
}

const output = (reasonClasses: string[] = []): ServedBatch => ({
  messages: [],
  deadLetters: reasonClasses.length,
  reasonClasses,
  shadow: [],
  answered: [],
});

/** The exposition as a real scraper would read it: parsed, by family name. */
async function scrape(metrics: ServeMetrics): Promise<Map<string, ParsedFamily>> {
  const families = parsePrometheusTextFormat(await metrics.exposition());
  return new Map(families.map((family) => [family.name, family]));
}

function value(families: Map<string, ParsedFamily>, name: string): number {
  const family = families.get(name);
  if (!family) throw new Error(`no ${name} in the exposition`);
  return Number(family.metrics[0]?.value);
}

function byLabel(
  families: Map<string, ParsedFamily>,
  name: string,
  label: string,
): Record<string, number> {
  return Object.fromEntries(
    (families.get(name)?.metrics ?? []).map((m) => [m.labels?.[label] ?? '', Number(m.value)]),
  );
}

describe('ServeMetrics', () => {
  it('starts with every counter at 0, no model and no lag', async () => {
    const families = await scrape(metricsFor());
    expect(value(families, `${P}requests_total`)).toBe(0);
    expect(value(families, `${P}transactions_committed_total`)).toBe(0);
    expect(value(families, `${P}transactions_aborted_total`)).toBe(0);
    expect(families.get(`${P}request_latency_seconds`)?.type).toBe('HISTOGRAM');
    expect(families.get(`${P}dead_letters_total`)?.metrics ?? []).toEqual([]);
    expect(families.get(`${P}model_info`)?.metrics ?? []).toEqual([]);
    expect(families.get(`${P}lag_messages`)?.metrics ?? []).toEqual([]);
  });

  it('counts committed requests, dead letters by reason class, latencies and transactions', async () => {
    const metrics = metricsFor();
    metrics.committed(batchOf(5), output(['not JSON', 'empty request', 'not JSON']));
    metrics.committed(batchOf(3), output([]));
    metrics.committed(batchOf(2), output(['not JSON']));
    const families = await scrape(metrics);

    expect(value(families, `${P}requests_total`)).toBe(10);
    expect(byLabel(families, `${P}dead_letters_total`, 'reason_class')).toEqual({
      'not JSON': 3,
      'empty request': 1,
    });
    const [latency] = families.get(`${P}request_latency_seconds`)!.metrics;
    expect(Number(latency?.count)).toBe(10);
    expect(Number(latency?.buckets?.['+Inf'])).toBe(10);
    expect(value(families, `${P}transactions_committed_total`)).toBe(3);
    expect(value(families, `${P}transactions_aborted_total`)).toBe(0);
  });

  it('measures latency in seconds from each request reaching the service to the commit', async () => {
    const metrics = metricsFor();
    // Two requests waited 2 s (between the 1 s and 2.5 s bounds), one next to nothing.
    metrics.committed([record(0, 2_000), record(1, 2_000), record(2, 0)], output());
    const [latency] = (await scrape(metrics)).get(`${P}request_latency_seconds`)!.metrics;
    expect(latency?.buckets?.['0.5']).toBe('1');
    expect(latency?.buckets?.['1']).toBe('1');
    expect(latency?.buckets?.['2.5']).toBe('3');
    expect(Number(latency?.sum)).toBeGreaterThanOrEqual(4);
    expect(Number(latency?.sum)).toBeLessThan(5);
  });

  it('counts an aborted transaction without counting its requests, which come again', async () => {
    const metrics = metricsFor();
    const batch = batchOf(4);
    metrics.failed(batch);
    metrics.committed(batch, output(['not UTF-8']));
    const families = await scrape(metrics);
    expect(value(families, `${P}transactions_aborted_total`)).toBe(1);
    expect(value(families, `${P}transactions_committed_total`)).toBe(1);
    expect(value(families, `${P}requests_total`)).toBe(4);
    expect(byLabel(families, `${P}dead_letters_total`, 'reason_class')).toEqual({'not UTF-8': 1});
  });

  it('shows only the version serving in the info gauge, with the group', async () => {
    const metrics = metricsFor();
    const info = async () => (await scrape(metrics)).get(`${P}model_info`)?.metrics ?? [];
    metrics.setServing('20260101-aaaa');
    expect(await info()).toEqual([{value: '1', labels: {group: 'g1', version: '20260101-aaaa'}}]);
    metrics.setServing('20260102-bbbb');
    metrics.setServing('20260102-bbbb');
    expect(await info()).toEqual([{value: '1', labels: {group: 'g1', version: '20260102-bbbb'}}]);
    metrics.setServing(null);
    expect(await info()).toEqual([]);
  });

  it('replaces the lag of every partition, so partitions that went leave no series', async () => {
    const metrics = metricsFor();
    const lag = async () =>
      ((await scrape(metrics)).get(`${P}lag_messages`)?.metrics ?? []).map((m) => ({
        ...m.labels,
        lag: Number(m.value),
      }));
    metrics.setLag([
      {partition: 0, committed: 10, end: 15, lag: 5},
      {partition: 1, committed: null, end: 7, lag: 7},
      {partition: 2, committed: 3, end: 3, lag: 0},
    ]);
    expect(await lag()).toEqual([
      {group: 'g1', topic: 'predict_requests', partition: '0', lag: 5},
      {group: 'g1', topic: 'predict_requests', partition: '1', lag: 7},
      {group: 'g1', topic: 'predict_requests', partition: '2', lag: 0},
    ]);
    metrics.setLag([{partition: 0, committed: 15, end: 15, lag: 0}]);
    expect(await lag()).toEqual([{group: 'g1', topic: 'predict_requests', partition: '0', lag: 0}]);
    metrics.setLag([]);
    expect(await lag()).toEqual([]);
  });

  it(`keeps at most ${MAX_REASON_CLASSES} reason classes, the rest counted as "${OTHER_REASON_CLASS}"`, async () => {
    const metrics = metricsFor();
    const classes = Array.from({length: MAX_REASON_CLASSES + 10}, (_, i) => `class ${i}`);
    metrics.committed(batchOf(classes.length), output(classes));
    // A class already known keeps its own series after the cap.
    metrics.committed(batchOf(1), output(['class 0']));
    const counts = byLabel(await scrape(metrics), `${P}dead_letters_total`, 'reason_class');
    expect(Object.keys(counts)).toHaveLength(MAX_REASON_CLASSES + 1);
    expect(counts[OTHER_REASON_CLASS]).toBe(10);
    expect(counts['class 0']).toBe(2);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(classes.length + 1);
  });

  it('escapes reason classes and versions that need it in the text format', async () => {
    const metrics = metricsFor();
    const awkward = 'quote " backslash \\ newline \n end';
    metrics.committed(batchOf(1), output([awkward]));
    metrics.setServing('v"1\\');
    const families = await scrape(metrics);
    expect(byLabel(families, `${P}dead_letters_total`, 'reason_class')).toEqual({[awkward]: 1});
    expect(families.get(`${P}model_info`)?.metrics[0]?.labels?.version).toBe('v"1\\');
  });

  it('uses a registry of its own: instances never share figures, the global registry stays empty', async () => {
    const first = metricsFor();
    const second = metricsFor();
    first.committed(batchOf(3), output());
    expect(value(await scrape(first), `${P}requests_total`)).toBe(3);
    expect(value(await scrape(second), `${P}requests_total`)).toBe(0);
    expect(await globalRegistry.metrics()).not.toContain(P);
  });

  it("adds prom-client's process metrics unless told not to, with the Prometheus content type", async () => {
    const withProcess = metricsFor({processMetrics: true});
    const names = [...(await scrape(withProcess)).keys()];
    expect(names).toContain('process_cpu_seconds_total');
    expect(names).toContain('nodejs_heap_size_used_bytes');
    expect(names).toContain(`${P}requests_total`);
    const without = [...(await scrape(metricsFor())).keys()];
    expect(without.every((name) => name.startsWith(P))).toBe(true);
    expect(withProcess.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
