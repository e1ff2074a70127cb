import {chooseAlpha, type AlphaSearch} from './crossValidation.js';
import {splitIndices, type WineRow} from './dataset.js';
import {buildFeatureSpec, createEncoder, type FeatureSpec} from './features.js';
import {fitLinear} from './fit.js';
import {pricePredictor, type Prediction} from './linearPredictor.js';
import type {WineRecord} from './input.js';
import {PRICE_METRICS, priceMetrics, spreadOf, type PriceMetrics, type Spread} from './metrics.js';
import type {TrainOptions} from './options.js';

export interface SplitFit {
  spec: FeatureSpec;
  weights: number[];
  intercept: number;
  jitter: number;
  /** The alpha fitted with: the option, or the one cross-validation chose. */
  alpha: number;
  alphaSearch: AlphaSearch | null;
  train: WineRow[];
  test: WineRow[];
  /** Suspect rows dropped from the training rows (--exclude-suspect). */
  excluded: number;
  predict: (input: WineRecord) => Prediction;
  /** On the test rows, in euros (and log price). */
  metrics: PriceMetrics;
  /** Wall time of the solve alone (not featurising, not cross-validation). */
  fitMs: number;
}

export interface SplitFitHooks {
  /** Every row index cross-validation reads (tests check none is a test row). */
  onCrossValidationRead?: (index: number) => void;
  onFit?: (detail: string) => void;
}

/**
 * One seeded split of the de-duplicated rows, fitted and scored: the same steps for the published
 * model and for each split of the repeated evaluation. Suspect rows are dropped from the training
 * side only when asked; the test side is never filtered.
 */
export function fitSplit(
  rows: readonly WineRow[],
  options: TrainOptions,
  seed: number,
  suspectLines: ReadonlySet<number>,
  hooks: SplitFitHooks = {},
): SplitFit {
  const indices = splitIndices(rows.length, options.testSize, seed);
  const fitted = fitIndices(rows, indices.train, options, seed, suspectLines, hooks);
  const test = indices.test.map((index) => rows[index] as WineRow);
  const metrics = priceMetrics(
    test.map((row) => row.price),
    test.map((row) => fitted.predict(row).price),
  );
  return {...fitted, test, metrics};
}

/** `--fit-all`: the same fit on every unique row (less suspect ones if asked); no hold-out. */
export function fitAllRows(
  rows: readonly WineRow[],
  options: TrainOptions,
  suspectLines: ReadonlySet<number>,
  hooks: SplitFitHooks = {},
): Omit<SplitFit, 'test' | 'metrics'> {
  const all = rows.map((_, index) => index);
  return fitIndices(rows, all, options, options.seed, suspectLines, hooks);
}

function fitIndices(
  rows: readonly WineRow[],
  candidates: readonly number[],
  options: TrainOptions,
  seed: number,
  suspectLines: ReadonlySet<number>,
  hooks: SplitFitHooks,
): Omit<SplitFit, 'test' | 'metrics'> {
  const trainIndices = options.excludeSuspect
    ? candidates.filter((index) => !suspectLines.has((rows[index] as WineRow).line))
    : [...candidates];
  const train = trainIndices.map((index) => rows[index] as WineRow);
  const read = (index: number) => {
    hooks.onCrossValidationRead?.(index);
    return rows[index] as WineRow;
  };
  const alphaSearch =
    options.alpha === 'auto' ? chooseAlpha(read, trainIndices, options, seed) : null;
  const alpha = alphaSearch ? alphaSearch.alpha : (options.alpha as number);

  const spec = buildFeatureSpec(train, options.features, options.minCount);
  const encode = createEncoder(spec);
  const design = train.map((row) => encode(row).row);
  const target = Float64Array.from(train, (row) =>
    options.logTarget ? Math.log(row.price) : row.price,
  );
  hooks.onFit?.(`${train.length} rows x ${spec.columns} columns, alpha ${alpha}`);
  const start = performance.now();
  const fit = fitLinear(design, target, spec.columns, {alpha});
  const fitMs = performance.now() - start;
  const weights = Array.from(fit.weights);
  return {
    spec,
    weights,
    intercept: fit.intercept,
    jitter: fit.jitter,
    alpha,
    alphaSearch,
    train,
    excluded: candidates.length - trainIndices.length,
    predict: pricePredictor(spec, weights, fit.intercept, options.logTarget),
    fitMs,
  };
}

export type PriceMetricName = (typeof PRICE_METRICS)[number];

export interface RepeatedEvaluation {
  /** Splits with seeds first..last (1..N): the same splits whatever --seed the model uses. */
  seeds: {first: number; last: number};
  splits: number;
  metrics: Record<PriceMetricName, Spread>;
}

/** Fits `repeats` seeded splits (seeds 1..repeats) and summarises each metric over them. */
export function evaluateRepeated(
  rows: readonly WineRow[],
  options: TrainOptions,
  repeats: number,
  suspectLines: ReadonlySet<number>,
  onSplit?: (seed: number) => void,
): RepeatedEvaluation {
  const perSplit: PriceMetrics[] = [];
  for (let seed = 1; seed <= repeats; seed++) {
    onSplit?.(seed);
    perSplit.push(fitSplit(rows, options, seed, suspectLines).metrics);
  }
  const metrics = Object.fromEntries(
    PRICE_METRICS.map((name) => [name, spreadOf(perSplit.map((split) => split[name]))]),
  ) as Record<PriceMetricName, Spread>;
  return {seeds: {first: 1, last: repeats}, splits: repeats, metrics};
}
