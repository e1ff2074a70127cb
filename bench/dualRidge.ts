import {choleskyInPlace, choleskySolveInPlace, type SparseRow} from '../source/ml/fit.js';

/**
 * The dual (kernel) form of the same ridge fit, for the benchmark only: with n rows and an
 * unpenalised intercept b, minimising |y - Xw - b|² + alpha|w|² gives w = Xᵀa where
 * (XXᵀ + alpha I) a + b 1 = y and 1ᵀa = 0. One n×n Cholesky, two solves.
 */
export function fitDual(
  rows: readonly SparseRow[],
  y: ArrayLike<number>,
  columns: number,
  alpha: number,
) {
  const n = rows.length;
  const gram = new Float64Array(n * n);
  const dense = new Float64Array(columns);
  for (let i = 0; i < n; i++) {
    const rowI = rows[i] as SparseRow;
    rowI.indices.forEach((column, k) => (dense[column] = rowI.values[k] as number));
    for (let j = 0; j <= i; j++) {
      const rowJ = rows[j] as SparseRow;
      let dot = 0;
      for (let k = 0; k < rowJ.indices.length; k++) {
        dot += (dense[rowJ.indices[k] as number] as number) * (rowJ.values[k] as number);
      }
      gram[i * n + j] = dot;
    }
    gram[i * n + i] = (gram[i * n + i] as number) + alpha;
    rowI.indices.forEach((column) => (dense[column] = 0));
  }
  if (!choleskyInPlace(gram, n)) throw new Error('dual system not positive definite');
  const u = Float64Array.from(y);
  const v = new Float64Array(n).fill(1);
  choleskySolveInPlace(gram, n, u);
  choleskySolveInPlace(gram, n, v);
  const sum = (values: Float64Array) => values.reduce((total, value) => total + value, 0);
  const intercept = sum(u) / sum(v);
  const weights = new Float64Array(columns);
  for (let i = 0; i < n; i++) {
    const a = (u[i] as number) - intercept * (v[i] as number);
    const row = rows[i] as SparseRow;
    row.indices.forEach(
      (column, k) =>
        (weights[column] = (weights[column] as number) + a * (row.values[k] as number)),
    );
  }
  return {weights, intercept};
}
