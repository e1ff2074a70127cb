import {readFileSync} from 'node:fs';
import {train} from '../source/ml/model.js';
const csv = readFileSync('/work/main/data/wines_SPA.csv');
const grid = JSON.parse(process.argv[2] ?? '[{}]');
for (const o of grid) {
  const t = performance.now();
  const {artifact, issues} = await train({csv, appVersion: '0.1.0', options: o});
  console.log(JSON.stringify(o), 'cols', artifact.features.columns, 'issues', issues.length, JSON.stringify(artifact.data.rows), 'R2', artifact.metrics.r2.toFixed(3), 'MAPE', artifact.metrics.mape.toFixed(3), 'base', artifact.baseline.metrics.r2.toFixed(3), artifact.baseline.metrics.mape.toFixed(3), 'jitter', artifact.training.jitter, ((performance.now()-t)|0)+'ms');
}
