/** Hold-out quality in euros. MAPE is a fraction (0.36 = 36 %). */
export interface Metrics {
  r2: number;
  rmse: number;
  mae: number;
  mape: number;
}

export function regressionMetrics(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
): Metrics {
  const n = actual.length;
  if (n === 0 || predicted.length !== n) {
    throw new RangeError(`need equal, non-empty series (got ${n} and ${predicted.length})`);
  }
  let mean = 0;
  for (let i = 0; i < n; i++) mean += actual[i] as number;
  mean /= n;
  let squared = 0;
  let absolute = 0;
  let relative = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const y = actual[i] as number;
    const error = y - (predicted[i] as number);
    squared += error * error;
    absolute += Math.abs(error);
    relative += Math.abs(error) / Math.abs(y);
    total += (y - mean) ** 2;
  }
  return {
    // A constant target has no variance to explain; report 0 rather than NaN.
    r2: total > 0 ? 1 - squared / total : 0,
    rmse: Math.sqrt(squared / n),
    mae: absolute / n,
    mape: relative / n,
  };
}

export function median(values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError('median of an empty series');
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Model v2's hold-out figures: the euro metrics, R² on log price and the median relative error. */
export interface PriceMetrics extends Metrics {
  r2_log: number;
  median_ape: number;
}

export function priceMetrics(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
): PriceMetrics {
  const euros = regressionMetrics(actual, predicted);
  const logActual = Array.from(actual, Math.log);
  // A raw-price model can predict <= 0; its log is taken at 1 cent so the metric stays defined.
  const logPredicted = Array.from(predicted, (price) => Math.log(Math.max(price, 0.01)));
  const relative = Array.from(
    actual,
    (y, i) => Math.abs(y - (predicted[i] as number)) / Math.abs(y),
  );
  return {
    ...euros,
    r2_log: regressionMetrics(logActual, logPredicted).r2,
    median_ape: median(relative),
  };
}

export const PRICE_METRICS = ['r2', 'r2_log', 'mape', 'median_ape', 'rmse', 'mae'] as const;

/** One metric over repeated splits: mean, sample standard deviation (0 for one split), range. */
export interface Spread {
  mean: number;
  std: number;
  min: number;
  max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread of an empty series');
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return {
    mean,
    std: values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}
