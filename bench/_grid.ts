import {readFileSync} from 'node:fs';
import {train} from '../source/ml/model.js';
const csv = readFileSync('/work/main/data/wines_SPA.csv');
const base = JSON.parse(process.argv[2] ?? '{}');
for (const alpha of [0.02, 0.05, 0.1, 0.2, 0.5]) {
  const r2s: number[] = []; const mapes: number[] = [];
  for (let seed = 1; seed <= 10; seed++) {
    const {artifact} = await train({csv, appVersion: '0', options: {...base, alpha, seed}});
    r2s.push(artifact.metrics.r2); mapes.push(artifact.metrics.mape);
  }
  const {artifact} = await train({csv, appVersion: '0', options: {...base, alpha, seed: 42}});
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  console.log(JSON.stringify(base), 'alpha', alpha, 'meanR2', mean(r2s).toFixed(3), 'minR2', Math.min(...r2s).toFixed(3), 'meanMAPE', mean(mapes).toFixed(3), 'seed42', artifact.metrics.r2.toFixed(3), artifact.metrics.mape.toFixed(3));
}
