import fs from 'node:fs';
import {describe, expect, it} from 'vitest';
import {dedupe, loadWines, splitRows} from '../../source/ml/dataset.js';
import {
  bucketOf,
  driftOf,
  expectedShares,
  populationStabilityIndex,
  trainingReference,
} from '../../source/ml/drift.js';

const rows = dedupe(loadWines(fs.readFileSync('data/wines_SPA.csv')).rows);
const {train, test} = splitRows(rows, 0.2, 42);
const reference = trainingReference(train);
const field = (name: string) => reference.fields.find((f) => f.name === name)!;

describe('trainingReference', () => {
  it('gives each field shares that add up to 1, numbers cut at the training deciles', () => {
    expect(reference.rows).toBe(train.length);
    expect(reference.fields.map((f) => f.name)).toEqual([
      'winery',
      'wine',
      'region',
      'type',
      'year',
      'rating',
      'num_reviews',
      'body',
      'acidity',
    ]);
    for (const f of reference.fields) {
      expect(expectedShares(f).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    }
    const rating = field('rating');
    expect(rating.kind).toBe('numeric');
    // Counted the way serve counts: each training row in its bucket.
    const counts = new Array<number>(expectedShares(rating).length).fill(0);
    for (const row of train) counts[bucketOf(rating, row)]! += 1;
    expect(counts.map((c) => c / train.length)).toEqual(expectedShares(rating));
    const region = field('region');
    expect(region.kind === 'categorical' && region.top.length).toBe(20);
  });
});

describe('populationStabilityIndex', () => {
  it('matches the formula on a hand-made case, with empty buckets floored', () => {
    const expected = [0.5, 0.3, 0.2];
    const counts = [20, 50, 30];
    const direct =
      (0.2 - 0.5) * Math.log(0.2 / 0.5) +
      (0.5 - 0.3) * Math.log(0.5 / 0.3) +
      (0.3 - 0.2) * Math.log(0.3 / 0.2);
    expect(populationStabilityIndex(expected, counts)).toBeCloseTo(direct, 12);
    expect(populationStabilityIndex(expected, [50, 30, 20])).toBeCloseTo(0, 12);
    expect(Number.isFinite(populationStabilityIndex(expected, [100, 0, 0]))).toBe(true);
  });
});

describe('driftOf', () => {
  it('stays low for held-out wines, and flags a region absent from training and shifted ratings only', () => {
    const held = driftOf(reference, test);
    for (const [name, psi] of held) expect(psi, name).toBeLessThan(0.1);

    const drifted = test.map((row) => ({
      ...row,
      region: 'Atlantis',
      rating: row.rating === null ? null : row.rating - 0.3,
    }));
    const psi = driftOf(reference, drifted);
    expect(psi.get('region')).toBeGreaterThan(0.2);
    expect(psi.get('rating')).toBeGreaterThan(0.2);
    for (const [name, value] of psi) {
      if (name !== 'region' && name !== 'rating') expect(value, name).toBeLessThan(0.1);
    }
  });
});
