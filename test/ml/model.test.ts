import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {serialiseArtifact, type ModelArtifact} from '../../source/ml/artifact.js';
import {ModelError} from '../../source/ml/errors.js';
import {createEncoder} from '../../source/ml/features.js';
import type {WineInput} from '../../source/ml/input.js';
import {createPredictor, predict, train, type TrainStep} from '../../source/ml/model.js';
import {CLASSIC_FEATURES, DEFAULT_TRAIN_OPTIONS} from '../../source/ml/options.js';
import {UNICO} from '../support/wines.js';

const csv = fs.readFileSync(path.resolve(import.meta.dirname, '../../data/wines_SPA.csv'));
const createdAt = new Date('2026-11-23T10:15:00Z');

const unico: WineInput = UNICO;

let artifact: ModelArtifact;
const steps: Array<[TrainStep, string]> = [];
beforeAll(async () => {
  ({artifact} = await train(
    {csv, appVersion: '0.1.0', createdAt},
    {onStep: (step, detail) => steps.push([step, detail])},
  ));
});

describe('train with the default configuration', () => {
  it('meets the bars on the de-duplicated hold-out and beats the median baseline', () => {
    expect(artifact.training.options).toEqual(DEFAULT_TRAIN_OPTIONS);
    // Seed 42 is one of many splits (R² 0.57..0.88 over seeds 1..30, see the README); asserted
    // near what it reaches (R² 0.829, MAPE 0.331) so that a regression fails.
    expect(artifact.metrics.r2).toBeGreaterThanOrEqual(0.82);
    expect(artifact.metrics.mape).toBeLessThanOrEqual(0.335);
    expect(artifact.metrics.r2_log).toBeGreaterThanOrEqual(0.82);
    expect(artifact.metrics.median_ape).toBeLessThanOrEqual(0.22);
    expect(artifact.metrics.rmse).toBeLessThan(artifact.baseline.metrics.rmse);
    expect(artifact.metrics.mae).toBeLessThan(artifact.baseline.metrics.mae);
    expect(artifact.baseline.metrics.r2).toBeLessThan(0.05);
    expect(artifact.baseline.metrics.mape).toBeGreaterThan(artifact.metrics.mape);
  });

  it('records row counts, the data digest and the fit', () => {
    expect(artifact.data.rows).toEqual({
      records: 7500,
      invalid: 0,
      unique: 2048,
      train: 1638,
      test: 410,
      suspect: 1,
      excluded: 0,
    });
    expect(artifact.data.sha256).toBe(createHash('sha256').update(csv).digest('hex'));
    expect(artifact.training.jitter).toBe(0);
    expect(artifact.features.numerical.map((feature) => feature.name)).toEqual([
      'rating',
      'body',
      'log_num_reviews',
      'age',
      'age_squared',
      'non_vintage',
    ]);
    expect(artifact.features.categorical.map((block) => block.name)).toEqual([
      'winery',
      'wine',
      'region',
      'type',
      'winery_wine',
    ]);
    expect(artifact.features.categorical.every((block) => block.other.length === 0)).toBe(true);
  });

  it('reports its steps in order, each with a one-line detail', () => {
    expect(steps.map(([step]) => step)).toEqual(['load', 'featurise', 'fit', 'evaluate']);
    expect(steps[1]?.[1]).toBe(
      '7500 rows, 0 invalid, 2048 unique: 1638 train, 410 test; 1 suspect',
    );
    expect(steps[2]?.[1]).toBe(`1638 rows x ${artifact.features.columns} columns, alpha 0.1`);
  });

  it('is reproducible: same bytes, options and time give the same artifact', async () => {
    const again = await train({csv, appVersion: '0.1.0', createdAt});
    expect(serialiseArtifact(again.artifact).equals(serialiseArtifact(artifact))).toBe(true);
  });
});

describe('predict', () => {
  it('predicts a plausible price in euros for a known wine', () => {
    const {price, unknown} = predict(artifact, unico);
    expect(unknown).toEqual([]);
    expect(price).toBeGreaterThan(150); // Unico 2009 sells for ~325 EUR in the data
    expect(price).toBeLessThan(700);
  });

  it('equals exp of the linear model on the encoded row (the package object is loaded right)', () => {
    const {row} = createEncoder(artifact.features)(unico);
    const linear = row.indices.reduce(
      (sum, column, k) =>
        sum + (artifact.model.weights[column] as number) * (row.values[k] as number),
      artifact.model.intercept,
    );
    expect(predict(artifact, unico).price).toBeCloseTo(Math.exp(linear), 8);
    expect(createPredictor(artifact).predict(unico)).toEqual(predict(artifact, unico));
  });

  it('predicts from the other features when categories are unknown, and lists them', () => {
    const input = {...unico, winery: 'Bodega Imaginaria', wine: 'Nada', year: 1901};
    const {price, unknown} = predict(artifact, input);
    // The year is a number now (age), so an unseen year is no unknown category.
    expect(unknown).toEqual([
      {field: 'winery', value: 'Bodega Imaginaria'},
      {field: 'wine', value: 'Nada'},
      {field: 'winery_wine', value: '["Bodega Imaginaria","Nada"]'},
    ]);
    expect(Number.isFinite(price)).toBe(true);
    expect(price).toBeGreaterThan(0);
  });

  it('fills missing optional values without listing them as unknown', () => {
    const {price, unknown} = predict(artifact, {...unico, body: null, type: null, year: null});
    expect(unknown).toEqual([]);
    expect(Number.isFinite(price)).toBe(true);
  });
});

describe('train options', () => {
  it('keeps the classic feature set, model@1 default, with its seed-42 figures', async () => {
    const {artifact: classic} = await train({
      csv,
      appVersion: '0.1.0',
      options: {features: [...CLASSIC_FEATURES]},
    });
    expect(classic.features.categorical.map((block) => block.name)).toEqual([
      'winery',
      'wine',
      'year',
      'region',
      'type',
    ]);
    expect(classic.features.numerical.map((feature) => feature.name)).toEqual(['rating', 'body']);
    // What model@1 published on seed 42 (R² 0.729, MAPE 0.354): the old set is reproducible.
    expect(classic.metrics.r2).toBeCloseTo(0.729, 3);
    expect(classic.metrics.mape).toBeCloseTo(0.354, 3);
  });

  it('fits the full feature set with minCount, and a raw-price target', async () => {
    const {artifact: full} = await train({
      csv,
      appVersion: '0.1.0',
      options: {
        features: [...CLASSIC_FEATURES, 'num_reviews', 'acidity'],
        minCount: 3,
        logTarget: false,
      },
    });
    expect(full.features.numerical.map((feature) => feature.name)).toEqual([
      'rating',
      'body',
      'num_reviews',
      'acidity',
    ]);
    expect(full.features.columns).toBeLessThan(artifact.features.columns);
    expect(
      full.features.categorical.find((block) => block.name === 'winery')?.other.length,
    ).toBeGreaterThan(0);
    // logTarget false: the prediction is the linear output itself, in euros.
    const {row} = createEncoder(full.features)(unico);
    const linear = row.indices.reduce(
      (sum, column, k) => sum + (full.model.weights[column] as number) * (row.values[k] as number),
      full.model.intercept,
    );
    expect(predict(full, unico).price).toBeCloseTo(linear, 8);
  });

  it('trains plain least squares (alpha 0) on the rank-deficient design without blowing up', async () => {
    const {artifact: plain} = await train({csv, appVersion: '0.1.0', options: {alpha: 0}});
    expect(plain.training.jitter).toBeGreaterThan(0);
    expect(Math.max(...plain.model.weights.map(Math.abs))).toBeLessThan(50);
    expect(plain.metrics.r2).toBeGreaterThan(0.5);
  });

  it('returns bad rows with line numbers and trains on the rest', async () => {
    const lines = csv.toString('utf8').split('\n').slice(0, 200);
    lines[3] = lines[3]!.replace(/,4\.\d,/, ',high,');
    const {artifact: small, issues} = await train({
      csv: Buffer.from(lines.join('\n')),
      appVersion: '0.1.0',
    });
    expect(issues).toEqual([
      {
        line: 4,
        field: 'rating',
        message: 'line 4: rating must be a number from 0 to 5 (got "high")',
      },
    ]);
    expect(small.data.rows.records).toBe(199);
    expect(small.data.rows.invalid).toBe(1);
  });

  it('refuses bad options and a missing version before doing any work', async () => {
    await expect(train({csv, appVersion: '0.1.0', options: {alpha: -1}})).rejects.toThrow(
      ModelError,
    );
    await expect(train({csv, appVersion: ' '})).rejects.toThrow('train needs the wine-tui version');
  });
});
