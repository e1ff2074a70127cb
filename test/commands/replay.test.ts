import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {LocalBus} from '../../source/services/embedded/LocalBus.js';
import {oneLineError, runCli, type TrainOutput} from '../support/cli.js';
import {repoRoot} from '../support/process.js';
import {UNICO} from '../support/wines.js';

// `wine-tui models replay` end to end on the embedded bus: two versions published by `train`,
// predictions published by `predict --publish`, and replay's figures checked against the prices
// `predict --version` gives for the same wines.

const CONFIG = path.join(repoRoot, 'config');

/** Two published versions and no predictions. */
let versionsOnly: string;
/** versionsOnly plus two unusable messages, then WINES as predictions, in that order. */
let withPredictions: string;
let a: string;
let b: string;
/** Between the predictions of WINES[0..6] and those of WINES[7..11]. */
let fromIso: string;
/** The request id of each of WINES' predictions. */
const requestIds: string[] = [];
/** Each wine's price by versions A and B, as `predict --version` gives it. */
const prices: Array<{a: number; b: number}> = [];

const cliIn = (stateDir: string, ...args: string[]) =>
  runCli([...args, '--config-dir', CONFIG], {env: {WINE_TUI_STATE_DIR: stateDir}});
const replay = (...args: string[]) => cliIn(withPredictions, 'models', 'replay', ...args);

const WINES = [
  ...[4.2, 4.4, 4.6, 4.8, 4.9].map((rating) => ({...UNICO, rating})),
  {...UNICO, year: 2015, body: 4},
  {
    winery: 'Toro Albala',
    wine: 'Don PX Seleccion',
    year: 1949,
    region: 'Montilla-Moriles',
    type: 'Pedro Ximenez',
    rating: 4.5,
    num_reviews: 34,
    body: 5,
    acidity: 1,
  },
  {winery: 'Sierra Cantabria', wine: 'Amancio', year: 2002, region: 'Rioja', rating: 4.3},
  {winery: 'Sei Solo', wine: 'Preludio', year: 2016, region: 'Ribera del Duero', rating: 4.2},
  {
    winery: 'Matarromera',
    wine: 'Gran Reserva',
    year: 2011,
    region: 'Ribera del Duero',
    rating: 4.2,
  },
  {winery: 'Senorio de San Vicente', wine: 'San Vicente Rioja', region: 'Rioja', rating: 4.3},
  {winery: 'Bodega Nueva', wine: 'Primera', year: 2020, region: 'Toro', rating: 3.9, body: 3},
];

async function train(stateDir: string, seed: number): Promise<string> {
  const result = await cliIn(stateDir, 'train', '--publish', '--json', '--seed', String(seed));
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as TrainOutput).version;
}

async function priceBy(version: string, wine: object): Promise<number> {
  const result = await cliIn(
    versionsOnly,
    'predict',
    '--version',
    version,
    '--json',
    JSON.stringify(wine),
  );
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as {price: number}).price;
}

async function publishPredictions(from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    const result = await cliIn(
      withPredictions,
      'predict',
      '--publish',
      '--json',
      JSON.stringify(WINES[i]),
    );
    expect(result.code, result.stderr).toBe(0);
    requestIds[i] = (JSON.parse(result.stdout) as {request_id: string}).request_id;
  }
}

beforeAll(async () => {
  versionsOnly = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-replay-versions-'));
  a = await train(versionsOnly, 1);
  b = await train(versionsOnly, 2);
  withPredictions = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-replay-predictions-'));
  fs.cpSync(versionsOnly, withPredictions, {recursive: true});

  // The oldest two cannot be replayed: an input that no longer validates, and no JSON at all.
  const bus = new LocalBus({stateDir: withPredictions});
  try {
    await bus.publish('app_messages', {
      key: 'stale',
      value: {request_id: 'stale', input: {...UNICO, rating: 7}, price: 10, version: a},
    });
    await bus.publish('app_messages', {key: 'garbled', value: Buffer.from('{"request_id": ')});
  } finally {
    await bus.close();
  }
  await publishPredictions(0, 7);
  await sleep(30);
  fromIso = new Date().toISOString();
  await sleep(30);
  await publishPredictions(7, WINES.length);

  for (const wine of WINES) {
    const [priceA, priceB] = await Promise.all([priceBy(a, wine), priceBy(b, wine)]);
    prices.push({a: priceA, b: priceB});
  }
}, 180_000);

afterAll(() => {
  for (const dir of [versionsOnly, withPredictions]) {
    if (dir) fs.rmSync(dir, {recursive: true, force: true});
  }
});

interface ReplayJson {
  a: string;
  b: string;
  count: number;
  skipped: number;
  mean_abs_pct_diff: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  within_10pct: number | null;
  mean_diff: number | null;
  largest: Array<{
    request_id: string;
    input: Record<string, unknown>;
    price_a: number;
    price_b: number;
    pct_diff: number;
  }>;
}

async function replayJson(...args: string[]): Promise<ReplayJson> {
  const result = await replay(a, b, '--json', ...args);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as ReplayJson;
}

/** The quantile by linear interpolation between closest ranks, step by step. */
function quantile(sorted: number[], p: number): number {
  const position = p * (sorted.length - 1);
  const lower = sorted[Math.floor(position)]!;
  const upper = sorted[Math.ceil(position)]!;
  return lower + (upper - lower) * (position - Math.floor(position));
}

/** Replay's figures against a direct computation over WINES[indices], from predict's prices. */
function expectFigures(out: ReplayJson, indices: number[]): void {
  expect(out.count).toBe(indices.length);
  const pcts = indices.map((i) => Math.abs(prices[i]!.b - prices[i]!.a) / prices[i]!.a);
  const sorted = [...pcts].sort((x, y) => x - y);
  let sumPct = 0;
  let sumDiff = 0;
  let within = 0;
  indices.forEach((i, n) => {
    sumPct += pcts[n]!;
    sumDiff += prices[i]!.b - prices[i]!.a;
    if (pcts[n]! <= 0.1) within += 1;
  });
  expect(out.mean_abs_pct_diff).toBeCloseTo(sumPct / indices.length, 9);
  expect(out.p50).toBeCloseTo(quantile(sorted, 0.5), 9);
  expect(out.p90).toBeCloseTo(quantile(sorted, 0.9), 9);
  expect(out.p99).toBeCloseTo(quantile(sorted, 0.99), 9);
  expect(out.max).toBeCloseTo(sorted.at(-1)!, 9);
  expect(out.within_10pct).toBeCloseTo(within / indices.length, 9);
  expect(out.mean_diff).toBeCloseTo(sumDiff / indices.length, 6);

  // Largest first, at most 10; stable, so equal differences stay in publishing order.
  const expected = indices
    .map((i, n) => ({i, pct: pcts[n]!}))
    .sort((x, y) => y.pct - x.pct)
    .slice(0, 10);
  expect(out.largest.map((d) => d.request_id)).toEqual(expected.map(({i}) => requestIds[i]));
  out.largest.forEach((d, n) => {
    const {i, pct} = expected[n]!;
    expect(d.input).toMatchObject(WINES[i]!);
    expect(d.price_a).toBe(prices[i]!.a);
    expect(d.price_b).toBe(prices[i]!.b);
    expect(d.pct_diff).toBeCloseTo(pct, 9);
  });
}

const range = (from: number, to: number) => Array.from({length: to - from}, (_, n) => from + n);

describe('wine-tui models replay (embedded)', () => {
  it('compares B with A on every prediction, matching predict --version for each input', async () => {
    const out = await replayJson();
    expect(out).toMatchObject({a, b, skipped: 2});
    expectFigures(out, range(0, WINES.length));
    // Seeds 1 and 2 split the data differently: the versions must not agree everywhere.
    expect(out.max).toBeGreaterThan(0);
  });

  it('takes the newest N with --last', async () => {
    const out = await replayJson('--last', '5');
    expect(out.skipped).toBe(0);
    expectFigures(out, range(WINES.length - 5, WINES.length));
    // The two unusable messages are the oldest: they count only when selected.
    expect((await replayJson('--last', String(WINES.length + 1))).skipped).toBe(1);
  });

  it('takes those at or after --from, and the newest N of them with --last', async () => {
    expectFigures(await replayJson('--from', fromIso), range(7, WINES.length));
    expectFigures(await replayJson('--from', fromIso, '--last', '3'), range(9, WINES.length));
    const early = await replayJson('--from', '2000-01-01');
    expect(early.skipped).toBe(2);
    expectFigures(early, range(0, WINES.length));
  });

  it('prints a few lines of text: the figures and the largest disagreements', async () => {
    const out = await replayJson();
    const result = await replay(a, b);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `replayed ${WINES.length} predictions from app_messages (2 skipped: no valid input)`,
    );
    expect(lines[1]).toBe(`B ${b} against A ${a}`);
    const pct = (x: number | null) => `${(x! * 100).toFixed(1)}%`;
    expect(lines[2]).toContain(`mean ${pct(out.mean_abs_pct_diff)}`);
    expect(lines[2]).toContain(`max ${pct(out.max)}`);
    expect(lines[3]).toContain(`within 10% ${pct(out.within_10pct)}`);
    const largest = lines.slice(lines.indexOf('largest disagreements') + 1);
    expect(largest).toHaveLength(10);
    expect(largest[0]).toContain(out.largest[0]!.request_id);
    expect(largest[0]).toContain(out.largest[0]!.price_a.toFixed(2));
  });

  it('says there is nothing to replay when the topic holds no predictions', async () => {
    const result = await cliIn(versionsOnly, 'models', 'replay', a, b);
    expect(result).toMatchObject({code: 0, stdout: ''});
    expect(result.stderr.trim()).toBe('nothing to replay: app_messages holds no predictions');
    const json = await cliIn(versionsOnly, 'models', 'replay', a, b, '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({count: 0, skipped: 0, p50: null, largest: []});
  });

  it('says there is nothing to replay when nothing is at or after --from', async () => {
    const result = await replay(a, b, '--from', '2999-01-01T00:00:00Z');
    expect(result).toMatchObject({code: 0, stdout: ''});
    expect(result.stderr.trim()).toBe(
      `nothing to replay: none of the ${WINES.length + 2} predictions on app_messages is at or after 2999-01-01T00:00:00.000Z`,
    );
  });

  it.each<[string, () => string[], RegExp]>([
    ['no versions', () => [], /^wine-tui: usage: wine-tui models replay A B/],
    ['one version', () => [a], /usage: wine-tui models replay A B/],
    ['three arguments', () => [a, b, 'extra'], /usage: wine-tui models replay A B/],
    ['A == B', () => [a, a], /A and B are both/],
    ['a version that does not exist', () => [a, '2020-01-01/T000000Z-deadbeef'], /does not exist/],
    ['a name that is no version', () => ['latest', b], /is not a model version/],
    ['--last 0', () => [a, b, '--last', '0'], /--last must be a whole number of at least 1/],
    ['--last abc', () => [a, b, '--last', 'abc'], /--last must be a whole number .*abc/],
    ['--last 1.5', () => [a, b, '--last', '1.5'], /--last must be a whole number/],
    ['--from yesterday', () => [a, b, '--from', 'yesterday'], /--from must be an ISO time/],
    ['--from 2026-02-30', () => [a, b, '--from', '2026-02-30'], /--from must be an ISO time/],
    ['--from 25 o’clock', () => [a, b, '--from', '2026-01-01T25:00:00Z'], /--from must be/],
  ])('refuses %s with one clear line and exit code 2', async (_what, args, pattern) => {
    expect(oneLineError(await replay(...args()))).toMatch(pattern);
  });
});
