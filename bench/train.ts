/**
 * Training benchmark: `npx tsx bench/train.ts [path/to/wines.csv]`.
 * Per configuration: rows, columns, fit time (median of 7), whole train() time (median of 5),
 * hold-out quality, and the speed-up over ml-regression-multivariate-linear's own constructor on a
 * subset it can finish (same rows, rare levels pooled with a higher minCount so it has ~250 columns).
 */
import {readFileSync} from 'node:fs';
import {CholeskyDecomposition, Matrix} from 'ml-matrix';
import MLR from 'ml-regression-multivariate-linear';
import {dedupe, loadWines, splitRows} from '../source/ml/dataset.js';
import {buildFeatureSpec, createEncoder} from '../source/ml/features.js';
import {choleskyInPlace, fitLinear, type SparseRow} from '../source/ml/fit.js';
import {median} from '../source/ml/metrics.js';
import {train} from '../source/ml/model.js';
import {DEFAULT_FEATURES, resolveTrainOptions, type TrainOptions} from '../source/ml/options.js';

const csvPath = process.argv[2] ?? new URL('../data/wines_SPA.csv', import.meta.url).pathname;
const csv = readFileSync(csvPath);
const SUBSET_MIN_COUNT = 5;

function timeMs(runs: number, run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return median(times);
}

async function timeAsyncMs(runs: number, run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** The training design exactly as train() builds it. */
function design(options: TrainOptions) {
  const rows = splitRows(dedupe(loadWines(csv).rows), options.testSize, options.seed).train;
  const spec = buildFeatureSpec(rows, options.features, options.minCount);
  const encode = createEncoder(spec);
  const x = rows.map((row) => encode(row).row);
  const y = rows.map((row) => (options.logTarget ? Math.log(row.price) : row.price));
  return {x, y, columns: spec.columns};
}

function toDense(x: readonly SparseRow[], columns: number): number[][] {
  return x.map((row) => {
    const dense = new Array<number>(columns).fill(0);
    row.indices.forEach((column, k) => (dense[column] = row.values[k] as number));
    return dense;
  });
}

const configurations: Array<[string, Partial<TrainOptions>]> = [
  ['default', {}],
  [
    'full (+num_reviews, acidity; minCount 1)',
    {features: [...DEFAULT_FEATURES, 'num_reviews', 'acidity'], minCount: 1},
  ],
];

const table: string[][] = [
  [
    'configuration',
    'train rows',
    'columns',
    'fit ms',
    'train() ms',
    'R²',
    'MAPE',
    'subset cols',
    'ours ms',
    'package ms',
    'speed-up',
  ],
];
for (const [name, partial] of configurations) {
  const options = resolveTrainOptions(partial);
  const {x, y, columns} = design(options);
  const fitMs = timeMs(7, () => fitLinear(x, y, columns, {alpha: Number(options.alpha)}));
  const {artifact} = await train({csv, appVersion: 'bench', options});
  const trainMs = await timeAsyncMs(5, () => train({csv, appVersion: 'bench', options}));

  // Same rows on fewer columns; both sides solve plain least squares (alpha 0). The package
  // runs without its optional statistics (a second SVD) since we do not compute them either.
  const subset = design({...options, minCount: SUBSET_MIN_COUNT});
  const oursMs = timeMs(7, () => fitLinear(subset.x, subset.y, subset.columns, {alpha: 0}));
  const denseX = toDense(subset.x, subset.columns);
  const denseY = subset.y.map((value) => [value]);
  const packageMs = timeMs(3, () => new MLR(denseX, denseY, {statistics: false}));

  table.push([
    name,
    String(x.length),
    String(columns),
    fitMs.toFixed(1),
    trainMs.toFixed(0),
    artifact.metrics.r2.toFixed(3),
    artifact.metrics.mape.toFixed(3),
    String(subset.columns),
    oursMs.toFixed(1),
    packageMs.toFixed(0),
    `${(packageMs / oursMs).toFixed(0)}x`,
  ]);
}

const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
for (const [index, row] of table.entries()) {
  console.log(
    row
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  '),
  );
  if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
}

// Why a hand-written typed-array Cholesky: the same dense normal matrix of the default design.
const {x, y, columns} = design(resolveTrainOptions());
const n = columns + 1;
const gram = new Float64Array(n * n);
for (const row of x) {
  const indices = [...row.indices, columns];
  const values = [...row.values, 1];
  indices.forEach((i, a) =>
    indices.forEach((j, b) => (gram[i * n + j]! += values[a]! * values[b]!)),
  );
}
for (let j = 0; j < columns; j++) gram[j * n + j]! += 1; // ridge so both factorisations succeed
const typedMs = timeMs(3, () => choleskyInPlace(gram.slice(), n));
const matrix = new Matrix(
  Array.from({length: n}, (_, i) => Array.from(gram.subarray(i * n, i * n + n))),
);
const mlMatrixMs = timeMs(3, () => new CholeskyDecomposition(matrix));
console.log(
  `\ndense Cholesky of the default ${n}x${n} normal matrix (no block elimination): ` +
    `typed arrays ${typedMs.toFixed(0)} ms, ml-matrix CholeskyDecomposition ${mlMatrixMs.toFixed(0)} ms` +
    ` (${y.length} rows)`,
);
