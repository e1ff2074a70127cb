import {ModelError} from './errors.js';

/** One design row by its non-zeros; indices are distinct column numbers. */
export interface SparseRow {
  indices: readonly number[];
  values: readonly number[];
}

export interface FitOptions {
  /** Ridge (L2) strength on every weight except the intercept; 0 = ordinary least squares. */
  alpha: number;
}

export interface LinearFit {
  weights: Float64Array;
  intercept: number;
  /**
   * Extra diagonal added only when the penalised system was not positive definite (e.g. alpha 0
   * with one-hot blocks that sum to the intercept column). 0 when the exact system was solved.
   */
  jitter: number;
}

/**
 * Accumulates the normal equations [X 1]ᵀ[X 1] w = [X 1]ᵀ y from the non-zeros of each row (a
 * one-hot row has ~8 of ~1,500 columns, so this is O(rows * nnz²) instead of the dense O(rows * p²)),
 * and returns the lower triangle (row-major, n = columns + 1, intercept last) and the right side.
 */
export function normalEquations(
  rows: readonly SparseRow[],
  y: ArrayLike<number>,
  columns: number,
): {gram: Float64Array; rhs: Float64Array; n: number} {
  if (rows.length !== y.length) {
    throw new ModelError(`design has ${rows.length} rows but the target has ${y.length} values`);
  }
  const n = columns + 1;
  const gram = new Float64Array(n * n);
  const rhs = new Float64Array(n);
  const indices: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as SparseRow;
    const target = y[r] as number;
    indices.length = 0;
    values.length = 0;
    for (let k = 0; k < row.indices.length; k++) {
      const column = row.indices[k] as number;
      if (!(column >= 0 && column < columns)) {
        throw new ModelError(`design row ${r} has column ${column} outside 0..${columns - 1}`);
      }
      indices.push(column);
      values.push(row.values[k] as number);
    }
    indices.push(columns);
    values.push(1);
    for (let a = 0; a < indices.length; a++) {
      const ia = indices[a] as number;
      const va = values[a] as number;
      rhs[ia] = (rhs[ia] as number) + va * target;
      for (let b = 0; b <= a; b++) {
        const ib = indices[b] as number;
        const cell = ia >= ib ? ia * n + ib : ib * n + ia;
        gram[cell] = (gram[cell] as number) + va * (values[b] as number);
      }
    }
  }
  return {gram, rhs, n};
}

/**
 * In-place Cholesky (A = L Lᵀ) of the lower triangle of a row-major n×n Float64Array. Row-oriented
 * so the inner loop is a dot product of two contiguous rows, which V8 runs fast. Returns false when
 * a pivot is not clearly positive (relative to the original diagonal): the matrix is singular.
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    let pivot = a[rowJ + j] as number;
    const original = pivot;
    for (let k = 0; k < j; k++) {
      const l = a[rowJ + k] as number;
      pivot -= l * l;
    }
    if (!(pivot > 1e-10 * Math.max(original, Number.MIN_VALUE))) return false;
    const diagonal = Math.sqrt(pivot);
    a[rowJ + j] = diagonal;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      let sum = a[rowI + j] as number;
      for (let k = 0; k < j; k++) sum -= (a[rowI + k] as number) * (a[rowJ + k] as number);
      a[rowI + j] = sum / diagonal;
    }
  }
  return true;
}

/** Solves L Lᵀ x = b in place in b, with L from choleskyInPlace. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let sum = b[i] as number;
    for (let k = 0; k < i; k++) sum -= (l[row + k] as number) * (b[k] as number);
    b[i] = sum / (l[row + i] as number);
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i] as number;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] as number) * (b[k] as number);
    b[i] = sum / (l[i * n + i] as number);
  }
}

/**
 * Ridge / least-squares fit through the normal equations and a typed-array Cholesky.
 * With alpha 0 on a rank-deficient design (every one-hot block sums to the intercept column) the
 * exact system is singular; we then add a tiny jitter, 1e-8 of the mean diagonal, to the penalised
 * diagonal (growing x100 if needed): this picks the near-minimum-norm solution instead of blowing up,
 * and its value is reported so it can be recorded with the model.
 */
export function fitLinear(
  rows: readonly SparseRow[],
  y: ArrayLike<number>,
  columns: number,
  options: FitOptions,
): LinearFit {
  if (!(options.alpha >= 0)) throw new ModelError(`alpha must be >= 0, got ${options.alpha}`);
  const {gram, rhs, n} = normalEquations(rows, y, columns);
  let meanDiagonal = 0;
  for (let j = 0; j < columns; j++) meanDiagonal += gram[j * n + j] as number;
  meanDiagonal = columns > 0 ? meanDiagonal / columns : 0;

  let jitter = 0;
  for (let attempt = 0; attempt < 6; attempt++) {
    const factor = gram.slice();
    const ridge = options.alpha + jitter;
    if (ridge > 0)
      for (let j = 0; j < columns; j++) factor[j * n + j] = (factor[j * n + j] as number) + ridge;
    if (choleskyInPlace(factor, n)) {
      const solution = Float64Array.from(rhs);
      choleskySolveInPlace(factor, n, solution);
      return {weights: solution.slice(0, columns), intercept: solution[columns] as number, jitter};
    }
    jitter = jitter === 0 ? 1e-8 * Math.max(meanDiagonal, 1) : jitter * 100;
  }
  throw new ModelError('the normal equations are singular even with jitter; check the design');
}
