import {createHash} from 'node:crypto';
import MLR from 'ml-regression-multivariate-linear';
import {MODEL_NAME, sealArtifact, type ModelArtifact} from './artifact.js';
import {dedupe, loadWines, splitRows, type RowIssue} from './dataset.js';
import {trainingReference} from './drift.js';
import {ModelError} from './errors.js';
import {
  buildFeatureSpec,
  createEncoder,
  type FeatureSpec,
  type UnknownCategory,
} from './features.js';
import {fitLinear} from './fit.js';
import type {WineRecord} from './input.js';
import {median, regressionMetrics} from './metrics.js';
import {resolveTrainOptions, type TrainOptions} from './options.js';

export type TrainStep = 'load' | 'featurise' | 'fit' | 'evaluate';

export interface TrainRequest {
  /** The exact CSV bytes; their sha256 goes into the artifact. Reading the file is the caller's job. */
  csv: Buffer;
  /** wine-tui's version, recorded in the artifact. */
  appVersion: string;
  options?: Partial<TrainOptions>;
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
}

// Each step yields a macrotask so a TUI gets to render the step it was just told about.
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function train(request: TrainRequest, hooks: TrainHooks = {}): Promise<TrainResult> {
  const options = resolveTrainOptions(request.options);
  if (request.appVersion.trim() === '') throw new ModelError('train needs the wine-tui version');
  const createdAt = request.createdAt ?? new Date();
  const step = async (name: TrainStep, detail: string) => {
    hooks.onStep?.(name, detail);
    await nextTurn();
  };

  await step('load', `parsing ${(request.csv.length / 1024).toFixed(0)} KiB of CSV`);
  const loaded = loadWines(request.csv);
  const unique = dedupe(loaded.rows);
  const split = splitRows(unique, options.testSize, options.seed);

  await step(
    'featurise',
    `${loaded.records} rows, ${loaded.issues.length} invalid, ${unique.length} unique: ` +
      `${split.train.length} train, ${split.test.length} test`,
  );
  const spec = buildFeatureSpec(split.train, options.features, options.minCount);
  const encode = createEncoder(spec);
  const design = split.train.map((row) => encode(row).row);
  const target = Float64Array.from(split.train, (row) =>
    options.logTarget ? Math.log(row.price) : row.price,
  );

  await step('fit', `${split.train.length} rows x ${spec.columns} columns, alpha ${options.alpha}`);
  const fit = fitLinear(design, target, spec.columns, {alpha: options.alpha});
  const weights = Array.from(fit.weights);

  await step('evaluate', `${split.test.length} held-out rows`);
  const predictPrice = pricePredictor(spec, weights, fit.intercept, options.logTarget);
  const actual = split.test.map((row) => row.price);
  const predicted = split.test.map((row) => predictPrice(row).price);
  const trainMedian = median(split.train.map((row) => row.price));

  const artifact = sealArtifact({
    schema: 'wine-tui/model@1',
    created_at: createdAt.toISOString(),
    wine_tui_version: request.appVersion,
    data: {
      sha256: createHash('sha256').update(request.csv).digest('hex'),
      rows: {
        records: loaded.records,
        invalid: loaded.records - loaded.rows.length,
        unique: unique.length,
        train: split.train.length,
        test: split.test.length,
      },
    },
    training: {options, solver: 'sparse-normal-equations-cholesky', jitter: fit.jitter},
    features: spec,
    model: {name: MODEL_NAME, weights, intercept: fit.intercept},
    metrics: regressionMetrics(actual, predicted),
    baseline: {
      median: trainMedian,
      metrics: regressionMetrics(
        actual,
        actual.map(() => trainMedian),
      ),
    },
    reference: trainingReference(split.train),
  });
  return {artifact, issues: loaded.issues};
}

export interface Prediction {
  /** Euros. */
  price: number;
  /** Categories the model never saw in training; they contributed nothing. */
  unknown: UnknownCategory[];
}

export interface Predictor {
  readonly artifact: ModelArtifact;
  predict(input: WineRecord): Prediction;
}

/**
 * Prediction goes through the package's own model object, loaded from our weights in its
 * toJSON() format (weights as a column, intercept last), so the package stays the model of record.
 * The artifact does not embed that toJSON() output: it would add per-weight summary statistics
 * that our solver does not compute (the package derives them from a dense pseudo-inverse), and
 * a flat weight list is what the artifact's shape checks validate against the columns.
 */
function pricePredictor(
  spec: FeatureSpec,
  weights: readonly number[],
  intercept: number,
  logTarget: boolean,
): (input: WineRecord) => Prediction {
  const encode = createEncoder(spec);
  const regression = MLR.load({
    name: MODEL_NAME,
    weights: [...weights.map((weight) => [weight]), [intercept]],
    inputs: spec.columns,
    outputs: 1,
    intercept: true,
    // The fields beyond `name` are not in the package's typings but are what load() reads.
  } as MLR.MLRModel);
  const dense = new Array<number>(spec.columns);
  return (input) => {
    const {row, unknown} = encode(input);
    dense.fill(0);
    row.indices.forEach((column, k) => (dense[column] = row.values[k] as number));
    const [output = NaN] = regression.predict(dense);
    return {price: logTarget ? Math.exp(output) : output, unknown};
  };
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
