import {readFileSync} from 'node:fs';
import {loadWines, dedupe, splitRows} from '../source/ml/dataset.js';
import {buildFeatureSpec, createEncoder} from '../source/ml/features.js';
import {fitLinear} from '../source/ml/fit.js';
import {regressionMetrics} from '../source/ml/metrics.js';
import {DEFAULT_FEATURES} from '../source/ml/options.js';
const csv = readFileSync('/work/main/data/wines_SPA.csv');
const rows = dedupe(loadWines(csv).rows);
function strat<T extends {price:number}>(rows: T[], ts: number, seed: number) { const sh = splitRows(rows, 0.5, seed); const all = [...sh.train, ...sh.test]; const order = all.map((r, i) => i).sort((a, b) => all[a]!.price - all[b]!.price); const train: T[] = []; const test: T[] = []; const B = 10; for (let b = 0; b * B < order.length; b++) { const chunk = order.slice(b * B, b * B + B); const k = Math.round(chunk.length * ts); const idx = chunk.map(i => i).sort((x, y) => ((x * 2654435761 + seed) % 1000) - ((y * 2654435761 + seed) % 1000)); idx.forEach((i, j) => (j < k ? test : train).push(all[i]!)); } return {train, test}; }
const seeds = Array.from({length: 30}, (_, i) => i + 1).concat([42]);
const res: Record<string, string[]> = {};
for (const alpha of [0.03, 0.1, 0.3]) {
  const r2s: number[] = []; const mapes: number[] = []; const pass: number[] = [];
  for (const seed of seeds) {
    const {train, test} = strat(rows, 0.2, seed);
    const spec = buildFeatureSpec(train, [...DEFAULT_FEATURES], 1);
    const enc = createEncoder(spec);
    const fit = fitLinear(train.map(r => enc(r).row), train.map(r => Math.log(r.price)), spec.columns, {alpha});
    const pred = test.map(r => { const e = enc(r).row; let s = fit.intercept; e.indices.forEach((c, k) => s += fit.weights[c]! * e.values[k]!); return Math.exp(s); });
    const m = regressionMetrics(test.map(r => r.price), pred);
    r2s.push(m.r2); mapes.push(m.mape); if (m.r2 >= 0.75 && m.mape <= 0.4) pass.push(seed);
  }
  const mean = (a: number[]) => a.reduce((x, y) => x + y) / a.length;
  console.log(alpha, 'meanR2', mean(r2s).toFixed(3), 'medianR2', [...r2s].sort()[15]!.toFixed(3), 'meanMAPE', mean(mapes).toFixed(3), 'pass', pass.join(','), 'seed42', r2s.at(-1)!.toFixed(3), mapes.at(-1)!.toFixed(3));
}
