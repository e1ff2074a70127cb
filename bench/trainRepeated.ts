/**
 * Repeated-split benchmark: `npx tsx bench/trainRepeated.ts [splits]` (default 30).
 * 1. Each metric's mean ± std (min..max) over seeded splits 1..N for the default and classic
 *    feature sets: the README's Quality table.
 * 2. Fit ms per split of the default design, primal (sparse normal equations, fitLinear) against
 *    dual (dense n×n Cholesky, bench/dualRidge.ts), and the largest weight difference between them.
 */
import {readFileSync} from 'node:fs';
import {dedupe, loadWines, splitRows} from '../source/ml/dataset.js';
import {buildFeatureSpec, createEncoder} from '../source/ml/features.js';
import {fitLinear} from '../source/ml/fit.js';
import {median, PRICE_METRICS} from '../source/ml/metrics.js';
import {CLASSIC_FEATURES, resolveTrainOptions} from '../source/ml/options.js';
import {evaluateRepeated} from '../source/ml/splitFit.js';
import {fitDual} from './dualRidge.js';

const splits = Number(process.argv[2] ?? 30);
const csv = readFileSync(new URL('../data/wines_SPA.csv', import.meta.url));
const rows = dedupe(loadWines(csv).rows);

console.log(`Means over seeded splits 1..${splits} (mean ± std, min..max)\n`);
for (const [name, partial] of [
  ['default', {}],
  ['classic', {features: [...CLASSIC_FEATURES]}],
] as const) {
  const evaluation = evaluateRepeated(rows, resolveTrainOptions(partial), splits, new Set());
  console.log(name);
  for (const metric of PRICE_METRICS) {
    const {mean, std, min, max} = evaluation.metrics[metric];
    const digits = metric === 'rmse' || metric === 'mae' ? 1 : 3;
    console.log(
      `  ${metric.padEnd(10)} ${mean.toFixed(digits)} ± ${std.toFixed(digits)} (${min.toFixed(digits)}..${max.toFixed(digits)})`,
    );
  }
}

console.log('\nFit ms per split, default features (primal vs dual)');
console.log('seed  rows  columns  primal ms  dual ms  max |Δw|');
const options = resolveTrainOptions();
const primalTimes: number[] = [];
const dualTimes: number[] = [];
for (let seed = 1; seed <= splits; seed++) {
  const {train} = splitRows(rows, options.testSize, seed);
  const spec = buildFeatureSpec(train, options.features, options.minCount);
  const encode = createEncoder(spec);
  const x = train.map((row) => encode(row).row);
  const y = Float64Array.from(train, (row) => Math.log(row.price));
  const alpha = options.alpha as number;
  let start = performance.now();
  const primal = fitLinear(x, y, spec.columns, {alpha});
  const primalMs = performance.now() - start;
  start = performance.now();
  const dual = fitDual(x, y, spec.columns, alpha);
  const dualMs = performance.now() - start;
  let difference = Math.abs(primal.intercept - dual.intercept);
  primal.weights.forEach((weight, column) => {
    difference = Math.max(difference, Math.abs(weight - (dual.weights[column] as number)));
  });
  primalTimes.push(primalMs);
  dualTimes.push(dualMs);
  console.log(
    `${String(seed).padStart(4)}  ${String(x.length).padStart(4)}  ${String(spec.columns).padStart(7)}  ${primalMs.toFixed(1).padStart(9)}  ${dualMs.toFixed(0).padStart(7)}  ${difference.toExponential(1)}`,
  );
}
console.log(
  `median: primal ${median(primalTimes).toFixed(1)} ms, dual ${median(dualTimes).toFixed(0)} ms per split`,
);
