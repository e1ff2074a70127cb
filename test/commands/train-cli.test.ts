import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CLASSIC_FEATURES} from '../../source/ml/options.js';
import {oneLineError, runCli, type TrainOutput} from '../support/cli.js';

// Model v2's train flags through the built CLI on the embedded default (no services).

let dir: string;
const cli = (...args: string[]) =>
  runCli([...args, '--state-dir', path.join(dir, 'state'), '--config-dir', dir]);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-train-cli-'));
});
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

describe('train --repeats, --features SET, --exclude-suspect', () => {
  it('reports the repeated figures and the suspect rows in --json', async () => {
    const result = await cli('train', '--json', '--repeats', '3', '--exclude-suspect');
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as TrainOutput;
    expect(out.evaluation?.splits).toBe(3);
    expect(out.evaluation?.seeds).toEqual({first: 1, last: 3});
    const r2 = out.evaluation!.metrics.r2;
    expect(r2.min).toBeLessThanOrEqual(r2.mean);
    expect(r2.mean).toBeLessThanOrEqual(r2.max);
    expect(out.metrics.r2_log).toBeGreaterThan(0);
    // The bundled data holds one flagged wine: Termanthia 2004 at 2,814 EUR (others ~207 EUR).
    expect(out.suspect).toEqual([
      expect.objectContaining({row: 117, winery: 'Bodega Numanthia', wine: 'Termanthia'}),
    ]);
    expect(out.rows.suspect).toBe(1);
    // Line 117 falls in seed 42's training rows, so it is left out of them; test keeps 410.
    expect(out.rows).toMatchObject({train: 1637, test: 410, excluded: 1});
  });

  it('--fit-all fits every unique row and keeps the held-out figures', async () => {
    const [all, split] = await Promise.all(
      [['--fit-all'], []].map(async (extra) => {
        const result = await cli('train', '--json', ...extra);
        expect(result.code, result.stderr).toBe(0);
        return JSON.parse(result.stdout) as TrainOutput;
      }),
    );
    expect(all!.rows).toMatchObject({unique: 2048, train: 2048, test: 0});
    expect(all!.options.fitAll).toBe(true);
    expect(all!.metrics).toEqual(split!.metrics);
    expect(all!.version).not.toBe(split!.version);
  });

  it('trains the classic feature set by name', async () => {
    const result = await cli('train', '--json', '--features', 'classic');
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as TrainOutput;
    expect(out.options.features).toEqual([...CLASSIC_FEATURES]);
    expect(out.evaluation?.splits).toBe(1);
    expect(out.rows.excluded).toBe(0);
  });

  it('models show puts the repeated R² beside the single-split figure', async () => {
    const trained = await cli('train', '--publish', '--json', '--repeats', '3');
    expect(trained.code, trained.stderr).toBe(0);
    const {version, evaluation, metrics} = JSON.parse(trained.stdout) as TrainOutput;
    const shown = await cli('models', 'show', version, '--json');
    expect(JSON.parse(shown.stdout).evaluation).toEqual(evaluation);
    const plain = (await cli('models', 'show', version)).stdout.split('\n');
    const {mean, std} = evaluation!.metrics.r2;
    const line = plain.find((row) => row.startsWith('metrics'))!;
    expect(line).toContain(`R² ${metrics.r2.toFixed(3)}`);
    expect(line.endsWith(`·  R² ${mean.toFixed(2)} ± ${std.toFixed(2)} (3 splits)`)).toBe(true);
    expect(plain.find((row) => row.startsWith('repeated'))).toMatch(
      /^repeated {2}3 splits \(seeds 1\.\.3\): R² 0\.\d{3} ± 0\.\d{3} \(0\.\d{3}\.\.0\.\d{3}\), R² log/,
    );
  });

  it.each([
    [['--repeats', '0'], '--repeats must be an integer from 1 to 1000 (got "0")'],
    [['--repeats', 'x'], '--repeats must be an integer from 1 to 1000 (got "x")'],
    [['--alpha', 'foo'], '--alpha must be a number >= 0 or auto (got "foo")'],
    [['--features', 'nosuch'], /^wine-tui: --features: unknown feature nosuch; choose a set/],
  ])('refuses %j in one line with exit code 2', async (args, message) => {
    const line = oneLineError(await cli('train', ...args));
    if (typeof message === 'string') expect(line).toBe(`wine-tui: ${message}`);
    else expect(line).toMatch(message);
  });
});
