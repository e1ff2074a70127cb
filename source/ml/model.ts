import {createHash} from 'node:crypto';
import {ARTIFACT_SCHEMA, sealArtifact, type ModelArtifact} from './artifact.js';
import {dedupe, loadWines, splitIndices, type RowIssue, type WineRow} from './dataset.js';
import {trainingReference} from './drift.js';
import {ModelError} from './errors.js';
import {MODEL_NAME, pricePredictor, type Prediction} from './linearPredictor.js';
import type {WineRecord} from './input.js';
import {median, priceMetrics} from './metrics.js';
import {resolveTrainOptions, type TrainOptions} from './options.js';
import {evaluateRepeated, fitAllRows, fitSplit} from './splitFit.js';
import {findSuspects, suspectFromIssues, type SuspectRow} from './suspect.js';

export type {Prediction} from './linearPredictor.js';

export type TrainStep = 'load' | 'featurise' | 'fit' | 'evaluate';

export interface TrainRequest {
  /** The exact CSV bytes; their sha256 goes into the artifact. Reading the file is the caller's job. */
  csv: Buffer;
  /** wine-tui's version, recorded in the artifact. */
  appVersion: string;
  options?: Partial<TrainOptions>;
  /** Seeded splits 1..repeats to evaluate the same options on (default 1). */
  repeats?: number;
  /** Defaults to now; fixes created_at (and so the version id) for reproducible artifacts. */
  createdAt?: Date;
}

export interface TrainHooks {
  /** Called as each step starts, with a one-line detail about the data it works on. */
  onStep?: (step: TrainStep, detail: string) => void;
}

export interface TrainResult {
  artifact: ModelArtifact;
  /** Rows left out for bad values, with their line numbers. */
  issues: RowIssue[];
  /** Rows the data checks flagged (missing or zero price, price outliers, conflicting duplicates). */
  suspect: SuspectRow[];
  /** Milliseconds the published model's solve took (kept out of the reproducible artifact). */
  fitMs: number;
}

// Each step yields a macrotask so a TUI gets to render the step it was just told about.
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function train(request: TrainRequest, hooks: TrainHooks = {}): Promise<TrainResult> {
  const options = resolveTrainOptions(request.options);
  const repeats = request.repeats ?? 1;
  if (!(Number.isInteger(repeats) && repeats >= 1)) {
    throw new ModelError(`repeats must be an integer >= 1, got ${repeats}`);
  }
  if (request.appVersion.trim() === '') throw new ModelError('train needs the wine-tui version');
  const createdAt = request.createdAt ?? new Date();
  const step = async (name: TrainStep, detail: string) => {
    hooks.onStep?.(name, detail);
    await nextTurn();
  };

  await step('load', `parsing ${(request.csv.length / 1024).toFixed(0)} KiB of CSV`);
  const loaded = loadWines(request.csv);
  const unique = dedupe(loaded.rows);
  const flagged = findSuspects(unique);
  const suspect = [...suspectFromIssues(loaded.issues), ...flagged].sort((a, b) => a.row - b.row);
  const suspectLines = new Set(flagged.map((row) => row.row));

  const indices = splitIndices(unique.length, options.testSize, options.seed);
  const excluded = options.excludeSuspect
    ? indices.train.filter((index) => suspectLines.has((unique[index] as WineRow).line)).length
    : 0;
  await step(
    'featurise',
    `${loaded.records} rows, ${loaded.issues.length} invalid, ${unique.length} unique: ` +
      `${indices.train.length - excluded} train, ${indices.test.length} test` +
      (suspect.length > 0 ? `; ${suspect.length} suspect` : '') +
      (excluded > 0 ? `, ${excluded} left out of training` : ''),
  );
  // fitSplit announces 'fit' itself: only it knows the alpha cross-validation chose.
  const split = fitSplit(unique, options, options.seed, suspectLines, {
    onFit: (detail) => hooks.onStep?.('fit', detail),
  });
  // --fit-all: the published weights see every row; the figures stay those of the held-out split.
  const published = options.fitAll
    ? fitAllRows(unique, options, suspectLines, {
        onFit: (detail) => hooks.onStep?.('fit', `${detail} (all rows, --fit-all)`),
      })
    : split;
  await step(
    'evaluate',
    `${split.test.length} held-out rows` + (repeats > 1 ? `, then ${repeats} seeded splits` : ''),
  );
  const evaluation = evaluateRepeated(unique, options, repeats, suspectLines);
  const actual = split.test.map((row) => row.price);
  const trainMedian = median(split.train.map((row) => row.price));

  const artifact = sealArtifact({
    schema: ARTIFACT_SCHEMA,
    created_at: createdAt.toISOString(),
    wine_tui_version: request.appVersion,
    data: {
      sha256: createHash('sha256').update(request.csv).digest('hex'),
      rows: {
        records: loaded.records,
        invalid: loaded.records - loaded.rows.length,
        unique: unique.length,
        train: published.train.length,
        test: options.fitAll ? 0 : split.test.length,
        suspect: suspect.length,
        excluded: published.excluded,
      },
    },
    training: {
      options: {...options, alpha: published.alpha},
      solver: 'sparse-normal-equations-cholesky',
      jitter: published.jitter,
      ...(published.alphaSearch ? {alpha_search: published.alphaSearch} : {}),
    },
    features: published.spec,
    model: {name: MODEL_NAME, weights: published.weights, intercept: published.intercept},
    metrics: split.metrics,
    baseline: {
      median: trainMedian,
      metrics: priceMetrics(
        actual,
        actual.map(() => trainMedian),
      ),
    },
    evaluation,
    reference: trainingReference(published.train),
  });
  return {artifact, issues: loaded.issues, suspect, fitMs: published.fitMs};
}

export interface Predictor {
  readonly artifact: ModelArtifact;
  predict(input: WineRecord): Prediction;
}

export function createPredictor(artifact: ModelArtifact): Predictor {
  const predictPrice = pricePredictor(
    artifact.features,
    artifact.model.weights,
    artifact.model.intercept,
    artifact.training.options.logTarget,
  );
  return {artifact, predict: predictPrice};
}

const predictors = new WeakMap<ModelArtifact, Predictor>();

/** One-off prediction; the compiled predictor is cached per artifact object. */
export function predict(artifact: ModelArtifact, input: WineRecord): Prediction {
  let predictor = predictors.get(artifact);
  if (!predictor) {
    predictor = createPredictor(artifact);
    predictors.set(artifact, predictor);
  }
  return predictor.predict(input);
}
