import fs from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import type {ModelArtifact} from '../../source/ml/artifact.js';
import {dedupe, loadWines, splitIndices, splitRows} from '../../source/ml/dataset.js';
import {buildFeatureSpec, createEncoder} from '../../source/ml/features.js';
import {fitLinear} from '../../source/ml/fit.js';
import {train} from '../../source/ml/model.js';
import {resolveTrainOptions} from '../../source/ml/options.js';
import {fitSplit} from '../../source/ml/splitFit.js';
import {holdoutPredictions} from '../../source/ml/holdout.js';

const csv = fs.readFileSync(path.resolve(import.meta.dirname, '../../data/wines_SPA.csv'));
const rows = dedupe(loadWines(csv).rows);
const REPEATS = 4;

/** One split's figures computed from scratch, without splitFit or priceMetrics. */
function directSplit(seed: number) {
  const options = resolveTrainOptions();
  const {train: fitRows, test} = splitRows(rows, options.testSize, seed);
  const spec = buildFeatureSpec(fitRows, options.features, options.minCount);
  const encode = createEncoder(spec);
  const fit = fitLinear(
    fitRows.map((row) => encode(row).row),
    fitRows.map((row) => Math.log(row.price)),
    spec.columns,
    {alpha: options.alpha as number},
  );
  const logPredicted = test.map((wine) => {
    const {row} = encode(wine);
    return row.indices.reduce((sum, c, k) => sum + fit.weights[c]! * row.values[k]!, fit.intercept);
  });
  const actual = test.map((wine) => wine.price);
  const predicted = logPredicted.map(Math.exp);
  const r2 = (y: number[], p: number[]) => {
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const residual = y.reduce((sum, v, i) => sum + (v - p[i]!) ** 2, 0);
    return 1 - residual / y.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  };
  const relative = actual.map((y, i) => Math.abs(y - predicted[i]!) / y).sort((a, b) => a - b);
  const n = actual.length;
  return {
    r2: r2(actual, predicted),
    r2_log: r2(actual.map(Math.log), logPredicted),
    mape: relative.reduce((a, b) => a + b, 0) / n,
    median_ape: n % 2 ? relative[(n - 1) / 2]! : (relative[n / 2 - 1]! + relative[n / 2]!) / 2,
    rmse: Math.sqrt(actual.reduce((sum, y, i) => sum + (y - predicted[i]!) ** 2, 0) / n),
    mae: actual.reduce((sum, y, i) => sum + Math.abs(y - predicted[i]!), 0) / n,
  };
}

let artifact: ModelArtifact;
beforeAll(async () => {
  ({artifact} = await train({csv, appVersion: '0.1.0', repeats: REPEATS}));
});

describe('repeated-split evaluation', () => {
  it('summarises splits with seeds 1..N exactly as computed split by split', () => {
    const splits = Array.from({length: REPEATS}, (_, k) => directSplit(k + 1));
    const evaluation = artifact.evaluation!;
    expect(evaluation.seeds).toEqual({first: 1, last: REPEATS});
    expect(evaluation.splits).toBe(REPEATS);
    for (const name of ['r2', 'r2_log', 'mape', 'median_ape', 'rmse', 'mae'] as const) {
      const values = splits.map((split) => split[name]);
      const mean = values.reduce((a, b) => a + b, 0) / REPEATS;
      const std = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (REPEATS - 1));
      const spread = evaluation.metrics[name];
      expect(spread.mean, name).toBeCloseTo(mean, 9);
      expect(spread.std, name).toBeCloseTo(std, 9);
      expect(spread.min, name).toBeCloseTo(Math.min(...values), 9);
      expect(spread.max, name).toBeCloseTo(Math.max(...values), 9);
    }
    // The splits really differ, so a summary of one split repeated would fail above.
    expect(evaluation.metrics.r2.max).toBeGreaterThan(evaluation.metrics.r2.min);
  });

  it('still publishes the single split of --seed, with its own figures', () => {
    expect(artifact.training.options.seed).toBe(42);
    expect(artifact.metrics.r2).toBeCloseTo(
      fitSplit(rows, resolveTrainOptions(), 42, new Set()).metrics.r2,
      12,
    );
  });

  it('refuses repeats that are not a positive integer', async () => {
    await expect(train({csv, appVersion: '0.1.0', repeats: 0})).rejects.toThrow(
      'repeats must be an integer >= 1, got 0',
    );
  });
});

describe('alpha auto', () => {
  it('cross-validates inside the training rows only: no test row is ever read', () => {
    const seed = 5;
    const options = resolveTrainOptions({alpha: 'auto'});
    const read = new Set<number>();
    const split = fitSplit(rows, options, seed, new Set(), {
      onCrossValidationRead: (index) => read.add(index),
    });
    const {train: trainIndices, test} = splitIndices(rows.length, options.testSize, seed);
    expect(read.size).toBe(trainIndices.length);
    for (const index of test) expect(read.has(index)).toBe(false);
    expect(split.alphaSearch?.candidates.map((c) => c.alpha)).toContain(split.alpha);
    const best = Math.min(...split.alphaSearch!.candidates.map((c) => c.rmse));
    expect(split.alphaSearch!.candidates.find((c) => c.alpha === split.alpha)?.rmse).toBe(best);
  });

  it('records the search and the chosen alpha in the artifact', async () => {
    const {artifact: auto} = await train({csv, appVersion: '0.1.0', options: {alpha: 'auto'}});
    expect(auto.training.alpha_search?.folds).toBe(5);
    expect(auto.training.options.alpha).toBe(auto.training.alpha_search?.alpha);
  });
});

describe('--fit-all', () => {
  it('publishes weights fitted on every unique row, with the held-out figures of the split', async () => {
    const {artifact: all} = await train({csv, appVersion: '0.1.0', options: {fitAll: true}});
    expect(all.data.rows).toMatchObject({unique: 2048, train: 2048, test: 0, excluded: 0});
    expect(all.metrics).toEqual(artifact.metrics);
    // The evaluation is still of held-out splits (one by default: seed 1).
    expect(all.evaluation?.metrics.r2.mean).toBeCloseTo(directSplit(1).r2, 9);
    // The weights are a direct fit on all 2,048 rows.
    const options = resolveTrainOptions();
    const spec = buildFeatureSpec(rows, options.features, options.minCount);
    const encode = createEncoder(spec);
    const direct = fitLinear(
      rows.map((row) => encode(row).row),
      rows.map((row) => Math.log(row.price)),
      spec.columns,
      {alpha: options.alpha as number},
    );
    expect(all.features).toEqual(spec);
    expect(all.model.intercept).toBeCloseTo(direct.intercept, 10);
    all.model.weights.forEach((weight, column) =>
      expect(weight).toBeCloseTo(direct.weights[column]!, 10),
    );
    expect(() => holdoutPredictions(csv, all)).toThrow(/fitted on every row \(--fit-all\)/);
  });
});
