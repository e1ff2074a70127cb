/**
 * `npm run bench:random-forest [splits]` (default 30): the original pipeline's RandomForest
 * (scikit-learn, max_depth 10) on the same de-duplicated rows and seeded splits 1..N as
 * wine-tui's repeated evaluation, with the same metrics. Benchmark only: scikit-learn goes into a
 * venv under .cache/bench-venv, never into the product.
 */
import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {dedupe, loadWines, splitRows} from '../source/ml/dataset.js';
import {PRICE_METRICS, priceMetrics, spreadOf, type PriceMetrics} from '../source/ml/metrics.js';

const splits = Number(process.argv[2] ?? 30);
const root = path.resolve(import.meta.dirname, '..');
const csvPath = path.join(root, 'data/wines_SPA.csv');
const cache = path.join(root, '.cache');
const venv = path.join(cache, 'bench-venv');
const python = path.join(venv, 'bin/python');
mkdirSync(cache, {recursive: true});

if (!existsSync(python)) {
  console.log(`creating ${path.relative(root, venv)} and installing scikit-learn (once)`);
  execFileSync('python3', ['-m', 'venv', venv], {stdio: 'inherit'});
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', 'scikit-learn'], {stdio: 'inherit'});
}

const rows = dedupe(loadWines(readFileSync(csvPath)).rows);
const seeds = Array.from({length: splits}, (_, k) => k + 1);
const bySeed = seeds.map((seed) => ({seed, ...splitRows(rows, 0.2, seed)}));
const splitsFile = path.join(cache, 'bench-rf-splits.json');
const predictionsFile = path.join(cache, 'bench-rf-predictions.json');
writeFileSync(
  splitsFile,
  JSON.stringify(
    bySeed.map(({seed, train, test}) => ({
      seed,
      train: train.map((row) => row.line),
      test: test.map((row) => row.line),
    })),
  ),
);
const start = performance.now();
execFileSync(
  python,
  [path.join(root, 'bench/randomForest.py'), csvPath, splitsFile, predictionsFile],
  {
    stdio: 'inherit',
  },
);
const seconds = (performance.now() - start) / 1000;
const predictions = JSON.parse(readFileSync(predictionsFile, 'utf8')) as Array<{
  seed: number;
  predicted: number[];
}>;
const perSplit: PriceMetrics[] = predictions.map(({seed, predicted}) =>
  priceMetrics(
    (bySeed[seed - 1] as (typeof bySeed)[number]).test.map((row) => row.price),
    predicted,
  ),
);
const version = execFileSync(python, ['-c', 'import sklearn; print(sklearn.__version__)'])
  .toString()
  .trim();
console.log(
  `RandomForestRegressor(max_depth=10), scikit-learn ${version}, seeded splits 1..${splits} ` +
    `(mean ± std, min..max); ${(seconds / splits).toFixed(2)} s per split`,
);
for (const metric of PRICE_METRICS) {
  const {mean, std, min, max} = spreadOf(perSplit.map((split) => split[metric]));
  const digits = metric === 'rmse' || metric === 'mae' ? 1 : 3;
  console.log(
    `  ${metric.padEnd(10)} ${mean.toFixed(digits)} ± ${std.toFixed(digits)} (${min.toFixed(digits)}..${max.toFixed(digits)})`,
  );
}
