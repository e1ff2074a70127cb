import {readFileSync} from 'node:fs';
import {loadWines, dedupe, splitRows} from '../source/ml/dataset.js';
import {buildFeatureSpec, createEncoder} from '../source/ml/features.js';
import {fitLinear} from '../source/ml/fit.js';
import {regressionMetrics} from '../source/ml/metrics.js';
import {DEFAULT_FEATURES} from '../source/ml/options.js';
const csv = readFileSync('/work/main/data/wines_SPA.csv');
const rows = dedupe(loadWines(csv).rows);
const mode = process.argv[2] ?? 'plain';
for (const alpha of [0.1, 0.3, 1, 3, 10]) {
  const out: string[] = [];
  const r2s: number[] = [];
  for (const seed of [42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
    const {train, test} = splitRows(rows, 0.2, seed);
    const spec = buildFeatureSpec(train, [...DEFAULT_FEATURES], 1);
    const enc = createEncoder(spec);
    const X = train.map(r => enc(r).row);
    const counts = new Float64Array(spec.columns);
    for (const r of X) r.indices.forEach((c) => counts[c]++);
    const n = train.length;
    const scale = Array.from(counts, (c, j) => j < spec.numerical.length ? 1 : mode === 'std' ? 1 / Math.sqrt((c / n) * (1 - c / n)) : mode === 'sqrt' ? 1 / Math.sqrt(c) : 1);
    const sc = (r: {indices: readonly number[]; values: readonly number[]}) => ({indices: r.indices, values: r.values.map((v, k) => v * (scale[r.indices[k]!] as number))});
    const fit = fitLinear(X.map(sc), train.map(r => Math.log(r.price)), spec.columns, {alpha});
    const pred = test.map(r => { const e = sc(enc(r).row); let s = fit.intercept; e.indices.forEach((c, k) => s += fit.weights[c]! * e.values[k]!); return Math.exp(s); });
    const m = regressionMetrics(test.map(r => r.price), pred);
    r2s.push(m.r2);
    if (seed === 42) out.push(`seed42 R2 ${m.r2.toFixed(3)} MAPE ${m.mape.toFixed(3)}`);
  }
  console.log(mode, alpha, out.join(' '), 'mean R2', (r2s.reduce((a, b) => a + b) / r2s.length).toFixed(3));
}
