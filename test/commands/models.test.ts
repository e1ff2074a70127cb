import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {oneLineError, runCli, type TrainOutput, type VersionRow} from '../support/cli.js';
import {unicoWithout} from '../support/wines.js';

// The headless commands end to end on the embedded default (LocalBus + LocalModelStore). Each
// test has a state folder of its own, so that it passes alone and in any order: an empty one, or
// a copy of `published` (two versions published with seeds 1 and 2, the second active).

let configDir: string;
/** The state folder the current test works on. */
let stateDir: string;
/** The state with two published versions that tests start from (never changed by a test). */
let published: string;
/** The versions in `published`, older first. */
let first: string;
let second: string;

const cliIn = (dir: string, ...args: string[]) =>
  runCli([...args, '--state-dir', dir, '--config-dir', configDir]);
const cli = (...args: string[]) => cliIn(stateDir, ...args);

async function publishIn(dir: string, seed: number): Promise<TrainOutput> {
  const result = await cliIn(dir, 'train', '--publish', '--json', '--seed', String(seed));
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as TrainOutput;
}

beforeAll(async () => {
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-cli-config-'));
  published = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-cli-published-'));
  first = (await publishIn(published, 1)).version;
  second = (await publishIn(published, 2)).version;
}, 120_000);

beforeEach(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-cli-state-'));
  fs.cpSync(published, stateDir, {recursive: true});
});

afterEach(() => {
  fs.rmSync(stateDir, {recursive: true, force: true});
});

afterAll(() => {
  fs.rmSync(published, {recursive: true, force: true});
  fs.rmSync(configDir, {recursive: true, force: true});
});

/** A state folder with nothing published, for the tests that start from scratch. */
function emptyState(): void {
  fs.rmSync(stateDir, {recursive: true, force: true});
  fs.mkdirSync(stateDir);
}

const wine = unicoWithout('num_reviews', 'acidity');

describe('wine-tui train, models, predict (embedded)', () => {
  it('trains on the de-duplicated split and reports what the README promises', async () => {
    emptyState();
    const result = await cli('train', '--json');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as TrainOutput;
    expect(out.rows).toEqual({
      total: 7500,
      unique: 2048,
      train: expect.any(Number),
      test: expect.any(Number),
      suspect: 1,
      excluded: 0,
    });
    expect(out.rows.train + out.rows.test).toBe(2048);
    // Same figures as test/ml/model.test.ts: the CLI adds nothing and loses nothing.
    expect(out.metrics.r2).toBeGreaterThanOrEqual(0.82);
    expect(out.metrics.mape).toBeLessThanOrEqual(0.335);
    expect(out.options).toMatchObject({logTarget: true, seed: 42});
    expect(out.baseline.r2).toBeLessThan(out.metrics.r2);
    expect(out.columns).toBeGreaterThan(100);
    expect(out.fit_ms).toBeGreaterThan(0);
    expect(out.published).toBeNull();
    expect(out.version).toMatch(/^\d{4}-\d{2}-\d{2}\/T\d{6}Z-[0-9a-f]{8}$/);
  });

  it('publishes versions that never overwrite each other, newest active', async () => {
    emptyState();
    const a = await publishIn(stateDir, 1);
    const b = await publishIn(stateDir, 2);
    expect(a.version).not.toBe(b.version);
    expect(a.published).toMatchObject({
      bucket: 'wines-models',
      topic: 'train',
      partition: 0,
      offset: 0,
    });
    expect(a.published!.key).toBe(`models/${a.version}.json`);
    expect(b.published!.offset).toBe(1);
    const list = JSON.parse((await cli('models', 'list', '--json')).stdout) as VersionRow[];
    expect(list.map((v) => v.version)).toEqual([b.version, a.version]);
    expect(list.map((v) => v.active)).toEqual([true, false]);
    expect(list.every((v) => v.announced && v.size > 0 && (v.metrics?.r2 ?? 0) > 0)).toBe(true);
  });

  it('predicts with the active version and publishes to app_messages', async () => {
    const result = await cli('predict', '--publish', '--json', JSON.stringify(wine));
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.version).toBe(second);
    expect(out.price).toBeGreaterThan(50);
    expect(out.unknown).toEqual([]);
    expect(out.published).toEqual({topic: 'app_messages', partition: 0, offset: 0});
    const tail = await cli('tail', 'app_messages', '--from-beginning', '--max', '1', '--json');
    const message = JSON.parse(tail.stdout);
    expect(message.key).toBe(out.request_id);
    expect(message.value).toMatchObject({
      request_id: out.request_id,
      price: out.price,
      version: second,
    });
  });

  it('lists unknown categories instead of failing', async () => {
    const result = await cli(
      'predict',
      '--json',
      JSON.stringify({...wine, winery: 'Bodega Nueva'}),
    );
    const out = JSON.parse(result.stdout);
    // The winery|wine pair is then unknown too.
    expect(out.unknown).toEqual([
      {field: 'winery', value: 'Bodega Nueva'},
      {field: 'winery_wine', value: JSON.stringify(['Bodega Nueva', wine.wine])},
    ]);
    expect(out.price).toBeGreaterThan(0);
  });

  it('rolls back by promoting an older version, and refuses to delete the active one', async () => {
    const promoted = await cli('models', 'promote', first, '--json');
    expect(promoted.code).toBe(0);
    expect(JSON.parse(promoted.stdout)).toMatchObject({version: first, topic: 'train', offset: 2});
    const out = JSON.parse((await cli('predict', '--json', JSON.stringify(wine))).stdout);
    expect(out.version).toBe(first);
    expect(oneLineError(await cli('models', 'delete', first))).toMatch(
      /is active: promote another/,
    );
    expect((await cli('models', 'delete', second)).code).toBe(0);
    const list = JSON.parse((await cli('models', 'list', '--json')).stdout) as VersionRow[];
    expect(list.map((v) => v.version)).toEqual([first]);
  });

  it('publishes a new version as the challenger with train --publish --as challenger', async () => {
    const result = await cli('train', '--publish', '--as', 'challenger', '--seed', '3');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/announced as the challenger on train/);
    const aliases = JSON.parse((await cli('models', 'alias', 'list', '--json')).stdout) as Array<{
      alias: string;
      version: string;
    }>;
    expect(aliases[0]).toEqual(expect.objectContaining({alias: 'champion', version: second}));
    expect(aliases[1]!.alias).toBe('challenger');
    expect([first, second]).not.toContain(aliases[1]!.version);
    expect(oneLineError(await cli('train', '--as', 'challenger'))).toBe(
      'wine-tui: --as is for --publish',
    );
    expect(oneLineError(await cli('train', '--publish', '--as', 'boss'))).toMatch(
      /--as must be champion or challenger \(got "boss"\)/,
    );
  });

  it('sets, lists and clears the challenger by alias, and refuses what would leave nothing to serve', async () => {
    const set = await cli('models', 'alias', 'set', 'challenger', first);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain(`${first} is now the challenger`);
    const listed = await cli('models', 'alias', 'list', '--json');
    const aliases = JSON.parse(listed.stdout) as Array<{
      alias: string;
      version: string;
      set_by: string;
    }>;
    expect(aliases.map(({alias, version}) => [alias, version])).toEqual([
      ['champion', second],
      ['challenger', first],
    ]);
    const rows = JSON.parse((await cli('models', 'list', '--json')).stdout) as Array<
      VersionRow & {aliases: string[]}
    >;
    expect(rows.find((r) => r.version === first)).toMatchObject({
      aliases: ['challenger'],
      active: false,
    });
    expect(rows.find((r) => r.version === second)).toMatchObject({
      aliases: ['champion'],
      active: true,
    });
    // predict still answers with the champion.
    const predicted = await cli('predict', '--json', JSON.stringify(unicoWithout('acidity')));
    expect(JSON.parse(predicted.stdout)).toMatchObject({version: second});

    expect(oneLineError(await cli('models', 'delete', first))).toMatch(
      /is the challenger: clear it first/,
    );
    expect(oneLineError(await cli('models', 'alias', 'clear', 'champion'))).toMatch(
      /cannot be cleared/,
    );
    expect(oneLineError(await cli('models', 'alias', 'set', 'boss', first))).toMatch(
      /"boss" is not an alias/,
    );
    expect(oneLineError(await cli('models', 'alias', 'set', 'challenger'))).toMatch(
      /^wine-tui: usage:/,
    );
    expect(oneLineError(await cli('models', 'alias', 'set', 'challenger', 'nope'))).toMatch(
      /not a model version/,
    );
    expect(oneLineError(await cli('models', 'alias'))).toMatch(/needs set, clear or list/);

    const cleared = await cli('models', 'alias', 'clear', 'challenger', '--json');
    expect(JSON.parse(cleared.stdout)).toMatchObject({
      alias: 'challenger',
      action: 'clear',
      version: first,
    });
    expect(JSON.parse((await cli('models', 'alias', 'list', '--json')).stdout)).toHaveLength(1);
    expect(oneLineError(await cli('models', 'alias', 'clear', 'challenger'))).toMatch(
      /no version is the challenger/,
    );
  });

  it('shows one version in detail', async () => {
    const show = JSON.parse((await cli('models', 'show', first, '--json')).stdout);
    expect(show.version).toBe(first);
    expect(show.largest_weights).toHaveLength(10);
    expect(show.data_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    [['train', '--alpha', 'abc'], /--alpha must be a number/],
    [['train', '--test-size', '2'], /testSize/],
    [['train', '--features', 'winery,colour'], /unknown feature colour/],
    [['train', '--min-count', '0'], /minCount/],
    [['predict', '--json', '{"winery": '], /--json is not valid JSON/],
    [['predict', '--json', JSON.stringify({...wine, rating: 7})], /rating/],
    [['predict', '--json', JSON.stringify({...wine, rating: 'abc'})], /rating/],
    [['predict', '--json', JSON.stringify({...wine, year: 1800})], /year/],
    [['predict', '--json', JSON.stringify({...wine, body: 9})], /body/],
    [['predict', '--json', JSON.stringify({...wine, acidity: 0})], /acidity/],
    [['predict', '--json', JSON.stringify({wine: 'Unico', rating: 4})], /winery/],
    [
      ['predict', '--version', '2020-01-01/T000000Z-deadbeef', '--json', JSON.stringify(wine)],
      /does not exist/,
    ],
    [['predict', '--version', 'latest', '--json', JSON.stringify(wine)], /is not a model version/],
    [['models', 'show', '2020-01-01/T000000Z-deadbeef'], /does not exist/],
    [['models', 'frobnicate'], /models needs an action/],
    [['tail', 'train', '--max', 'abc'], /--max must be a whole number/],
    [['nonsense'], /unknown command "nonsense"/],
    [['train', '--seed', '1', '--seed', '2'], /can only be set once/],
  ])('refuses %j with one clear line and exit code 2', async (args, pattern) => {
    expect(oneLineError(await cli(...args))).toMatch(pattern);
  });

  it('refuses an invalid bucket name, naming the rule', async () => {
    const line = oneLineError(await cli('train', '--publish', '--bucket', 'wines_models'));
    expect(line).toMatch(/--bucket: .*underscore.*wines-models/);
  });

  it('refuses an unknown flag', async () => {
    const result = await cli('train', '--alpah', '1');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown flag/);
  });

  it('says the TUI needs a terminal when there is none', async () => {
    const line = oneLineError(await cli());
    expect(line).toMatch(/needs a terminal.*wine-tui train\|models\|predict\|tail\|serve\|doctor/);
  });
});
