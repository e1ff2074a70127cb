import {readFileSync} from 'node:fs';
import {train, createPredictor} from '../source/ml/model.js';
import {loadWines, dedupe, splitRows} from '../source/ml/dataset.js';
import {regressionMetrics} from '../source/ml/metrics.js';
const csv = readFileSync('/work/main/data/wines_SPA.csv');
const rows = dedupe(loadWines(csv).rows);
for (const seed of [42, 1, 2, 3, 4, 5]) {
  const {artifact} = await train({csv, appVersion: '0', options: {alpha: 0.1, seed}});
  const p = createPredictor(artifact);
  const {train: tr, test} = splitRows(rows, 0.2, seed);
  const res = tr.map(r => Math.log(r.price) - Math.log(p.predict(r).price));
  const sm = res.reduce((s, x) => s + Math.exp(x), 0) / res.length;
  const line = [seed, 'smear', sm.toFixed(3)];
  for (const c of [1, sm, 1.05, 1.1]) {
    const m = regressionMetrics(test.map(r => r.price), test.map(r => c * p.predict(r).price));
    line.push(`c=${c.toFixed(3)} R2 ${m.r2.toFixed(3)} MAPE ${m.mape.toFixed(3)}`);
  }
  console.log(line.join(' | '));
}
