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
