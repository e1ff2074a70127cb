import {createHash} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {ModelDetails} from '../../source/services/registry/modelDetails.js';
import {runCli, type TrainOutput, type VersionRow} from '../support/cli.js';
import {unicoWithout} from '../support/wines.js';

// The text (non --json) output of the headless commands on the embedded default, checked against
// the JSON the same commands print for the same version: both must say the same thing.

let stateDir: string;
let configDir: string;

beforeAll(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-plain-state-'));
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-plain-config-'));
});

afterAll(() => {
  fs.rmSync(stateDir, {recursive: true, force: true});
  fs.rmSync(configDir, {recursive: true, force: true});
});

const cli = (...args: string[]) =>
  runCli([...args, '--state-dir', stateDir, '--config-dir', configDir]);

async function ok(...args: string[]): Promise<{out: string[]; err: string[]}> {
  const result = await cli(...args);
  expect(result.code, result.stderr).toBe(0);
  const split = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
  return {out: split(result.stdout), err: split(result.stderr)};
}

const json = async <T>(...args: string[]): Promise<T> =>
  JSON.parse((await ok(...args, '--json')).out.join('\n')) as T;

type Metrics = TrainOutput['metrics'];

/** The figures of a printed metrics row, in the order R², RMSE, MAE, MAPE. */
function figures(line: string | undefined, label: string): number[] {
  const match = new RegExp(`^${label}\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)$`).exec(line ?? '');
  expect(match, `"${line}" is not a ${label} row`).not.toBeNull();
  return match!.slice(1).map(Number);
}

/** Printed to `decimals` places: within half a unit of the last place of the JSON figure. */
function expectPrinted(printed: number, exact: number, decimals: number) {
  expect(Math.abs(printed - exact)).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-9);
}

function expectTrainRow(line: string | undefined, label: string, m: Metrics) {
  const [r2, rmse, mae, mape] = figures(line, label);
  expectPrinted(r2!, m.r2, 3);
  expectPrinted(rmse!, m.rmse, 1);
  expectPrinted(mae!, m.mae, 1);
  // train prints MAPE as a fraction, like the JSON.
  expectPrinted(mape!, m.mape, 3);
}

/** `R² 0.729  RMSE 147.2  MAE 56.4  MAPE 35.4%` as printed by `models show`. */
function expectShowMetrics(line: string | undefined, label: string, m: Metrics) {
  const match = new RegExp(`^${label}\\s+R² (\\S+)  RMSE (\\S+)  MAE (\\S+)  MAPE (\\S+)%$`).exec(
    line ?? '',
  );
  expect(match, `"${line}" is not the ${label} line`).not.toBeNull();
  const [r2, rmse, mae, mape] = match!.slice(1).map(Number);
  expectPrinted(r2!, m.r2, 3);
  expectPrinted(rmse!, m.rmse, 1);
  expectPrinted(mae!, m.mae, 1);
  expectPrinted(mape!, m.mape * 100, 1);
}

const wine = unicoWithout('type', 'num_reviews', 'acidity');

describe('plain-text output of train, models and predict (embedded)', () => {
  let first: string;
  let second: string;

  it('models list on an empty store says where it looked', async () => {
    const {out} = await ok('models', 'list');
    const store = path.resolve(stateDir, 'models-store');
    expect(out).toEqual([`no versions under local wines-models @ ${store}/models/`]);
  });

  it('train prints the same figures as train --json for the same options', async () => {
    const [plain, asJson] = await Promise.all([
      ok('train', '--seed', '7', '--alpha', '0.3'),
      json<TrainOutput>('train', '--seed', '7', '--alpha', '0.3'),
    ]);
    const {out, err} = plain;
    expect(out).toHaveLength(6);
    expect(out[0]).toMatch(/^version {2}\d{4}-\d{2}-\d{2}\/T\d{6}Z-[0-9a-f]{8}$/);
    const {rows, columns} = asJson;
    expect(out[1]).toMatch(
      new RegExp(
        `^rows {5}${rows.total} total, ${rows.unique} unique, ${rows.train} train, ${rows.test} test; ` +
          `${columns} columns; fit \\d+(\\.\\d+)? ms$`,
      ),
    );
    expect(out[2]).toMatch(/^\s+R²\s+RMSE\s+MAE\s+MAPE$/);
    expectTrainRow(out[3], 'model', asJson.metrics);
    expectTrainRow(out[4], 'median', asJson.baseline);
    expect(out[5]).toBe('not published (add --publish to upload and announce it)');
    // Progress goes to stderr, one line per step, in order; nothing was skipped in the bundled data,
    // and the data checks flag one row.
    expect(err.map((line) => line.split(/\s+/)[0])).toEqual([
      'load',
      'featurise',
      'fit',
      'evaluate',
      'suspect',
    ]);
    expect(err[4]).toBe(
      `suspect line ${asJson.suspect![0]!.row}: Bodega Numanthia / Termanthia / 2004 at 2814.16: ${asJson.suspect![0]!.reason}`,
    );
  });

  it('train --publish prints the version and key that models list then shows', async () => {
    const {out} = await ok('train', '--publish', '--seed', '1');
    const [row] = await json<VersionRow[]>('models', 'list');
    first = row!.version;
    expect(out[0]).toBe(`version  ${row!.version}`);
    expect(out.at(-1)).toBe(
      `published wines-models/${row!.key}, announced on train partition 0 offset 0; unsigned (no signing key configured)`,
    );
    // The stored object's metadata carries the figures the command printed.
    expectTrainRow(out[3], 'model', row!.metrics!);
    const shown = await json<ModelDetails>('models', 'show', first);
    expectTrainRow(out[4], 'median', shown.baseline);
  });

  it('models promote and models list print one row per version, the active one marked', async () => {
    second = (await json<TrainOutput>('train', '--publish', '--seed', '2')).version;
    const promoted = await ok('models', 'promote', first);
    expect(promoted.out).toEqual([
      `announced ${first} on train partition 0 offset 2: it is now active`,
    ]);

    const [{out}, listed] = await Promise.all([
      ok('models', 'list'),
      json<VersionRow[]>('models', 'list'),
    ]);
    expect(listed.map((v) => v.version).sort()).toEqual([first, second].sort());
    expect(out[0]).toMatch(/^\s+version\s+created\s+R²\s+MAPE\s+size\s+alias\s+signer$/);
    expect(out).toHaveLength(listed.length + 1);
    listed.forEach((v, index) => {
      const line = out[index + 1]!;
      expect(line.startsWith(v.active ? '* ' : '  '), line).toBe(true);
      const [version, created, r2, mape, size, alias, signer] = line.slice(2).trim().split(/\s+/);
      expect(version).toBe(v.version);
      expect(created).toBe(v.created_at.slice(0, 19));
      expectPrinted(Number(r2), v.metrics!.r2, 3);
      expect(mape).toMatch(/%$/);
      expectPrinted(Number(mape!.slice(0, -1)), v.metrics!.mape * 100, 1);
      expect(Number(size)).toBe(v.size);
      expect(alias).toBe(v.aliases.join(',') || (v.announced ? '-' : 'unannounced'));
      expect(alias === 'champion').toBe(v.active);
      expect(signer).toBe(v.key_id ?? 'unsigned');
    });
    expect(listed.find((v) => v.active)?.version).toBe(first);
  });

  it('models show prints what models show --json holds', async () => {
    const [{out}, shown] = await Promise.all([
      ok('models', 'show', second),
      json<ModelDetails>('models', 'show', second),
    ]);
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as {version: string};
    expect(shown.wine_tui_version).toBe(pkg.version);
    expect(out[0]).toBe(`version   ${second} (wine-tui ${pkg.version}, ${shown.created_at})`);
    expect(out[1]).toBe(`options   ${JSON.stringify(shown.options)}`);
    expect(shown.options).toMatchObject({seed: 2});
    expectShowMetrics(out[2], 'metrics', shown.metrics);
    expectShowMetrics(out[3], 'baseline', shown.baseline);
    const {records, unique, train, test} = shown.rows;
    expect(out[4]).toBe(
      `rows      ${records} total, ${unique} unique, ${train} train, ${test} test; ${shown.columns} columns`,
    );
    // The digest of the file it was trained on: the bundled data set.
    const sha = createHash('sha256').update(fs.readFileSync('data/wines_SPA.csv')).digest('hex');
    expect(out[5]).toBe(`data      sha256 ${sha}`);
    expect(out[6]).toBe('signer    unsigned');
    expect(out[7]).toBe('largest weights');
    const weights = out.slice(8).map((line) => {
      const match = /^\s+(-?\d+\.\d{4}) {2}(.+)$/.exec(line);
      expect(match, line).not.toBeNull();
      return {column: match![2], weight: Number(match![1])};
    });
    expect(weights.map((w) => w.column)).toEqual(shown.largest_weights.map((w) => w.column));
    weights.forEach((w, i) => expectPrinted(w.weight, shown.largest_weights[i]!.weight, 4));
  });

  it('predict prints exactly one JSON line, from the active version', async () => {
    const result = await cli('predict', '--json', JSON.stringify(wine));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.replace(/\n$/, '').split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as {price: number; version: string; published: unknown};
    const active = (await json<VersionRow[]>('models', 'list')).find((v) => v.active);
    expect(out.version).toBe(active?.version);
    expect(out.published).toBeNull();
    // The active version named explicitly gives the same price: it is the model that answered.
    const named = await cli('predict', '--version', first, '--json', JSON.stringify(wine));
    expect((JSON.parse(named.stdout) as {price: number}).price).toBe(out.price);
  });

  it('predict without --json says how to give the wine, in one line', async () => {
    const result = await cli('predict');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^wine-tui: predict needs the wine as --json/),
    ]);
  });

  it('models delete prints what it deleted', async () => {
    expect((await ok('models', 'delete', second)).out).toEqual([`deleted ${second}`]);
    const listed = await json<VersionRow[]>('models', 'list');
    expect(listed.map((v) => v.version)).toEqual([first]);
  });
});
