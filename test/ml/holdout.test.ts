import fs from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import type {ModelArtifact} from '../../source/ml/artifact.js';
import {ModelError} from '../../source/ml/errors.js';
import {holdoutPredictions} from '../../source/ml/holdout.js';
import {regressionMetrics} from '../../source/ml/metrics.js';
import {train} from '../../source/ml/model.js';

const csv = fs.readFileSync(path.resolve(import.meta.dirname, '../../data/wines_SPA.csv'));

describe('holdoutPredictions', () => {
  let artifact: ModelArtifact;
  beforeAll(async () => {
    ({artifact} = await train({csv, appVersion: '0.0.0-test', options: {seed: 7}}));
  });

  it('re-derives the held-out rows train() evaluated on', () => {
    const pairs = holdoutPredictions(csv, artifact);
    expect(pairs).toHaveLength(artifact.data.rows.test);
    // The same rows and predictions give exactly the metrics recorded in the artifact.
    const metrics = regressionMetrics(
      pairs.map((p) => p.actual),
      pairs.map((p) => p.predicted),
    );
    expect(metrics.r2).toBeCloseTo(artifact.metrics.r2, 10);
    expect(metrics.mape).toBeCloseTo(artifact.metrics.mape, 10);
    expect(new Set(pairs.map((p) => p.line)).size).toBe(pairs.length);
  });

  it('refuses a data file other than the one the model was trained on', () => {
    const other = Buffer.concat([csv, Buffer.from('\n')]);
    expect(() => holdoutPredictions(other, artifact)).toThrow(ModelError);
    expect(() => holdoutPredictions(other, artifact)).toThrow(/not the one model/);
  });
});
