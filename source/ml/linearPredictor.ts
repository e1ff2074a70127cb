import MLR from 'ml-regression-multivariate-linear';
import {createEncoder, type FeatureSpec, type UnknownCategory} from './features.js';
import type {WineRecord} from './input.js';

/** The name ml-regression-multivariate-linear's toJSON()/load() use; the weights load into it. */
export const MODEL_NAME = 'multivariateLinearRegression';

export interface Prediction {
  /** Euros. */
  price: number;
  /** Categories the model never saw in training; they contributed nothing. */
  unknown: UnknownCategory[];
}

/**
 * Prediction goes through the package's own model object, loaded from our weights in its
 * toJSON() format (weights as a column, intercept last), so the package stays the model of record.
 * The artifact does not embed that toJSON() output: it would add per-weight summary statistics
 * that our solver does not compute (the package derives them from a dense pseudo-inverse), and
 * a flat weight list is what the artifact's shape checks validate against the columns.
 */
export function pricePredictor(
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
