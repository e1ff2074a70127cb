import {createHash} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {ModelDetails} from '../../source/services/registry/modelDetails.js';
import {oneLineError, runCli, type TrainOutput} from '../support/cli.js';

// `train --data FILE` and `--no-log-target` through the built CLI on the embedded default.

let dir: string;
let stateDir: string;

const bundled = fs.readFileSync('data/wines_SPA.csv', 'utf8').replace(/\n$/, '').split('\n');
const header = bundled[0]!;
/** The first 599 wines; the bundled file has one record per line (no quoted newlines). */
const head = bundled.slice(1, 600);
/** Splits a line of the bundled file into its fields (none of them holds a comma). */
const fields = (line: string) => line.split(',');
/** 41 of them again: counted in rows.total, gone after de-duplication. */
const copies = head.slice(100, 141);

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

const cli = (...args: string[]) =>
  runCli([...args, '--state-dir', stateDir, '--config-dir', path.join(dir, 'config')]);

async function trainJson(...args: string[]): Promise<TrainOutput> {
  const result = await cli('train', '--json', ...args);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as TrainOutput;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-train-data-'));
  stateDir = path.join(dir, 'state');
  fs.mkdirSync(path.join(dir, 'config'));
});

afterAll(() => {
  fs.rmSync(dir, {recursive: true, force: true});
});

describe('train --data FILE', () => {
  it('starts from the bundled file as this test reads it', () => {
    expect(fields(header)[7]).toBe('"price"');
    expect(head.every((line) => fields(line).length === 11)).toBe(true);
  });

  it('trains on the given file: rows counted from it, copies removed, its digest recorded', async () => {
    const small = write('small.csv', [header, ...head].join('\n') + '\n');
    const doubled = write('doubled.csv', [header, ...head, ...copies].join('\n') + '\n');
    const [a, b] = await Promise.all([trainJson('--data', small), trainJson('--data', doubled)]);
    expect(a.rows.total).toBe(head.length);
    expect(b.rows.total).toBe(head.length + copies.length);
    // The copies add nothing once de-duplicated: the same unique rows, the same split.
    expect(b.rows.unique).toBe(a.rows.unique);
    expect(a.rows.unique).toBe(new Set(head).size);
    expect(a.rows.train + a.rows.test).toBe(a.rows.unique);
    expect({train: b.rows.train, test: b.rows.test}).toEqual({
      train: a.rows.train,
      test: a.rows.test,
    });
    // Fewer wines than the bundled set: fewer one-hot columns than a fit on all 7,500 rows.
    const full = await trainJson();
    expect(a.columns).toBeLessThan(full.columns);

    const published = await cli('train', '--data', small, '--publish', '--json');
    expect(published.code, published.stderr).toBe(0);
    const {version} = JSON.parse(published.stdout) as TrainOutput;
    const shown = await cli('models', 'show', version, '--json');
    const details = JSON.parse(shown.stdout) as ModelDetails;
    const sha = createHash('sha256').update(fs.readFileSync(small)).digest('hex');
    expect(details.data_sha256).toBe(sha);
    expect(details.rows.records).toBe(head.length);
  });

  it('skips unusable rows and names them on stderr in the text output', async () => {
    // A wine without a price, as line 3 of the file: counted, then left out of training.
    const noPrice = '"Bodega Nueva","Tinto","2015",4.2,30,"Espana","Rioja",NA,"Rioja Red",3,3';
    const file = write('no-price-row.csv', [header, head[0], noPrice, ...head.slice(1)].join('\n'));
    const result = await cli('train', '--data', file);
    expect(result.code, result.stderr).toBe(0);
    const skipped = result.stderr.split('\n').filter((line) => line.startsWith('skipped '));
    expect(skipped).toEqual([expect.stringMatching(/^skipped line 3: price must be a number > 0/)]);
    expect(result.stdout).toContain(
      `rows     ${head.length + 1} total, ${new Set(head).size} unique`,
    );
  });

  it.each([
    [
      'a missing column',
      () =>
        write(
          'no-price.csv',
          [header, ...head.slice(0, 50)]
            .map((line) =>
              fields(line)
                .filter((_, i) => i !== 7)
                .join(','),
            )
            .join('\n'),
        ),
      /lacks column\(s\) price/,
    ],
    ['JSON, not CSV', () => write('data.json', JSON.stringify({wines: head.slice(0, 5)})), /CSV/],
    [
      'an unterminated quote',
      () => write('quote.csv', `${header}\n"Teso La Monja,"Tinto\n`),
      /CSV/,
    ],
    ['an empty file', () => write('empty.csv', ''), /CSV is empty/],
    [
      'binary bytes',
      () => write('data.bin', Buffer.from([0x1f, 0x8b, 8, 0, 0xff, 0, 10, 13])),
      /CSV/,
    ],
    ['a file that does not exist', () => path.join(dir, 'missing.csv'), /cannot read .*ENOENT/],
    ['a folder', () => dir, /cannot read .*EISDIR/],
  ])(
    'refuses %s with one line naming the problem and exit code 2',
    async (_name, make, pattern) => {
      const file = make();
      const [asJson, text] = await Promise.all([
        cli('train', '--json', '--data', file),
        cli('train', '--data', file),
      ]);
      const line = oneLineError(asJson);
      expect(line).toMatch(/^wine-tui: /);
      expect(line).toMatch(pattern);
      // The text output may show the progress made before the failure, then the same one line.
      expect(text.code).toBe(2);
      expect(text.stdout).toBe('');
      const lines = text.stderr.trim().split('\n');
      expect(lines.at(-1)).toBe(line);
      for (const before of lines.slice(0, -1)) expect(before).toMatch(/^(load|featurise) /);
    },
  );
});

describe('train --no-log-target', () => {
  it('fits the price itself: recorded in the options, and other figures than the log fit', async () => {
    const [log, plain, byDefault] = await Promise.all([
      trainJson('--seed', '3', '--log-target'),
      trainJson('--seed', '3', '--no-log-target'),
      trainJson('--seed', '3'),
    ]);
    expect(log.options.logTarget).toBe(true);
    expect(plain.options.logTarget).toBe(false);
    expect(byDefault.options.logTarget).toBe(true);
    // Same rows and split, only the target differs.
    expect(plain.rows).toEqual(log.rows);
    expect(plain.baseline).toEqual(log.baseline);
    expect(byDefault.metrics).toEqual(log.metrics);
    for (const name of ['r2', 'rmse', 'mae', 'mape'] as const) {
      expect(plain.metrics[name], name).not.toBeCloseTo(log.metrics[name], 6);
    }
  });
});
