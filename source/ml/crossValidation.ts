import {seededShuffle} from './dataset.js';
import {buildFeatureSpec, createEncoder} from './features.js';
import {fitLinear} from './fit.js';
import type {WineRow} from './dataset.js';
import type {TrainOptions} from './options.js';

/** The alphas `--alpha auto` tries, and the number of folds. */
export const ALPHA_CANDIDATES = [0.01, 0.03, 0.1, 0.3, 1] as const;
export const CV_FOLDS = 5;

export interface AlphaSearch {
  folds: number;
  /** Each candidate's root mean squared error on the fitted target (log price by default). */
  candidates: Array<{alpha: number; rmse: number}>;
  alpha: number;
}

/**
 * Chooses alpha by k-fold cross-validation over `indices` (the training rows of a split), reading
 * rows only through `read`: it cannot see the test rows unless given their indices, and a test can
 * record what it read. The folds are a seeded shuffle, so the choice is reproducible.
 */
export function chooseAlpha(
  read: (index: number) => WineRow,
  indices: readonly number[],
  options: Pick<TrainOptions, 'features' | 'minCount' | 'logTarget'>,
  seed: number,
): AlphaSearch {
  const order = seededShuffle(indices, seed);
  const folds = Math.min(CV_FOLDS, order.length);
  const target = (row: WineRow) => (options.logTarget ? Math.log(row.price) : row.price);
  const squared = new Float64Array(ALPHA_CANDIDATES.length);
  for (let fold = 0; fold < folds; fold++) {
    const inner = order.filter((_, k) => k % folds !== fold).map(read);
    const held = order.filter((_, k) => k % folds === fold).map(read);
    // Vocabularies and scaling come from the fold's own training part, as in a real fit.
    const spec = buildFeatureSpec(inner, options.features, options.minCount);
    const encode = createEncoder(spec);
    const design = inner.map((row) => encode(row).row);
    const y = Float64Array.from(inner, target);
    const heldRows = held.map((row) => encode(row).row);
    ALPHA_CANDIDATES.forEach((alpha, c) => {
      const fit = fitLinear(design, y, spec.columns, {alpha});
      heldRows.forEach((row, k) => {
        let output = fit.intercept;
        row.indices.forEach(
          (column, v) => (output += (fit.weights[column] as number) * (row.values[v] as number)),
        );
        squared[c] = (squared[c] as number) + (target(held[k] as WineRow) - output) ** 2;
      });
    });
  }
  const candidates = ALPHA_CANDIDATES.map((alpha, c) => ({
    alpha,
    rmse: Math.sqrt((squared[c] as number) / order.length),
  }));
  const best = candidates.reduce((a, b) => (b.rmse < a.rmse ? b : a));
  return {folds, candidates, alpha: best.alpha};
}
