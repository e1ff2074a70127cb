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
 * In-place Cholesky (A = L Lᵀ) of the lower triangle of a row-major n×n Float64Array. Row-oriented
 * so the inner loop is a dot product of two contiguous rows, which V8 runs fast. Returns false when
 * a pivot is not clearly positive relative to `scale[j]` (the column's diagonal before any
 * elimination): the matrix is singular.
 */
export function choleskyInPlace(a: Float64Array, n: number, scale?: ArrayLike<number>): boolean {
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    let pivot = a[rowJ + j] as number;
    const reference = scale ? (scale[j] as number) : pivot;
    for (let k = 0; k < j; k++) {
      const l = a[rowJ + k] as number;
      pivot -= l * l;
    }
    if (!(pivot > 1e-10 * Math.max(reference, Number.MIN_VALUE))) return false;
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

/** [X 1]ᵀ[X 1] as a sparse map (key hi * n + lo, hi >= lo) and [X 1]ᵀ y; intercept = column n - 1. */
function normalEquations(rows: readonly SparseRow[], y: ArrayLike<number>, columns: number) {
  if (rows.length !== y.length) {
    throw new ModelError(`design has ${rows.length} rows but the target has ${y.length} values`);
  }
  const n = columns + 1;
  const gram = new Map<number, number>();
  const rhs = new Float64Array(n);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as SparseRow;
    const indices = [...row.indices, columns];
    const values = [...row.values, 1];
    for (let a = 0; a < indices.length; a++) {
      const ia = indices[a] as number;
      if (
        !(Number.isInteger(ia) && ia >= 0 && ia <= columns) ||
        (a < row.indices.length && ia === columns)
      ) {
        throw new ModelError(`design row ${r} has column ${ia} outside 0..${columns - 1}`);
      }
      const va = values[a] as number;
      rhs[ia] = (rhs[ia] as number) + va * (y[r] as number);
      for (let b = 0; b <= a; b++) {
        const ib = indices[b] as number;
        const key = ia >= ib ? ia * n + ib : ib * n + ia;
        gram.set(key, (gram.get(key) ?? 0) + va * (values[b] as number));
      }
    }
  }
  return {gram, rhs, n};
}

/**
 * Ridge / least-squares fit of [X 1] w = y through the normal equations, built from the non-zeros
 * of each row (a one-hot row has ~12 of ~2,000 columns).
 *
 * Speed: XᵀX is sparse (two columns meet only if some row has both). We eliminate columns one at
 * a time, fewest neighbours first (minimum degree), as a sparse LDLᵀ: a winery|wine column touches
 * ~12 others, so eliminating it costs ~150 updates. Once the rest has filled in (the numerical
 * columns, regions and types meet nearly everything) it is factorised densely by Cholesky.
 *
 * Singularity: with alpha 0 the system is singular whenever one-hot blocks sum to the intercept
 * column. Then (only then) we add a small jitter to the penalised diagonal, 1e-7 of its mean and
 * growing x10 until the factorisation succeeds: a near-minimum-norm solution instead of a blow-up.
 * The jitter used is returned so it can be recorded with the model. The intercept is never
 * penalised.
 */
export function fitLinear(
  rows: readonly SparseRow[],
  y: ArrayLike<number>,
  columns: number,
  options: FitOptions,
): LinearFit {
  if (!(options.alpha >= 0)) throw new ModelError(`alpha must be >= 0, got ${options.alpha}`);
  const {gram, rhs, n} = normalEquations(rows, y, columns);
  const diagonal = new Float64Array(n);
  for (const [key, value] of gram) {
    const hi = Math.floor(key / n);
    if (hi === key - hi * n) diagonal[hi] = value;
  }
  let penalisedMean = 0;
  for (let column = 0; column < columns; column++) penalisedMean += diagonal[column] as number;
  penalisedMean = columns > 0 ? penalisedMean / columns : 0;

  let jitter = 0;
  for (let attempt = 0; attempt < 10; attempt++) {
    const solution = solveEliminating(gram, diagonal, rhs, n, columns, options.alpha + jitter);
    if (solution) {
      return {weights: solution.slice(0, columns), intercept: solution[columns] as number, jitter};
    }
    jitter = jitter === 0 ? 1e-7 * Math.max(penalisedMean, 1) : jitter * 10;
  }
  throw new ModelError('the normal equations are singular even with jitter; check the design');
}

/** Below this many columns left, or once every column left has this many neighbours: dense. */
const DENSE_COLUMNS = 300;
const DENSE_DEGREE = 64;

/** Solves (XᵀX + ridge·I except the intercept) w = Xᵀy; null when a pivot is not positive. */
function solveEliminating(
  gram: Map<number, number>,
  rawDiagonal: Float64Array,
  rawRhs: Float64Array,
  n: number,
  columns: number,
  ridge: number,
): Float64Array | null {
  const diagonal = new Float64Array(n);
  const rhs = Float64Array.from(rawRhs);
  const links: Array<Map<number, number>> = Array.from({length: n}, () => new Map());
  // A column that is zero in every row (a constant feature) has weight 0 exactly; leaving it out
  // keeps such columns from making the system singular.
  const alive = new Uint8Array(n);
  for (let column = 0; column < n; column++) {
    if (column === columns || (rawDiagonal[column] as number) > 0) alive[column] = 1;
    diagonal[column] = (rawDiagonal[column] as number) + (column < columns ? ridge : 0);
  }
  for (const [key, value] of gram) {
    const hi = Math.floor(key / n);
    const lo = key - hi * n;
    if (hi !== lo && value !== 0 && alive[hi] && alive[lo]) {
      (links[hi] as Map<number, number>).set(lo, value);
      (links[lo] as Map<number, number>).set(hi, value);
    }
  }
  const scale = Float64Array.from(diagonal);
  const tiny = (column: number) => 1e-10 * Math.max(scale[column] as number, Number.MIN_VALUE);

  // Sparse elimination, minimum degree first; each step is recorded for the back substitution.
  const order: number[] = [];
  const pivots: number[] = [];
  const steps: Array<{others: number[]; values: number[]; side: number}> = [];
  let remaining = 0;
  for (let column = 0; column < n; column++) remaining += alive[column] as number;
  while (remaining > DENSE_COLUMNS) {
    let best = -1;
    let bestDegree = Infinity;
    for (let column = 0; column < n; column++) {
      if (!alive[column]) continue;
      const degree = (links[column] as Map<number, number>).size;
      if (degree < bestDegree) {
        bestDegree = degree;
        best = column;
      }
    }
    if (bestDegree >= DENSE_DEGREE) break;
    const pivot = diagonal[best] as number;
    if (!(pivot > tiny(best))) return null;
    const others = [...(links[best] as Map<number, number>).keys()];
    const values = others.map((other) => (links[best] as Map<number, number>).get(other) as number);
    const side = rhs[best] as number;
    for (let a = 0; a < others.length; a++) {
      const i = others[a] as number;
      const scaled = (values[a] as number) / pivot;
      const row = links[i] as Map<number, number>;
      row.delete(best);
      diagonal[i] = (diagonal[i] as number) - scaled * (values[a] as number);
      rhs[i] = (rhs[i] as number) - scaled * side;
      for (let b = 0; b < others.length; b++) {
        if (b === a) continue;
        const j = others[b] as number;
        row.set(j, (row.get(j) ?? 0) - scaled * (values[b] as number));
      }
    }
    alive[best] = 0;
    remaining -= 1;
    order.push(best);
    pivots.push(pivot);
    steps.push({others, values, side});
  }

  // Dense Cholesky of what is left.
  const kept: number[] = [];
  const position = new Int32Array(n).fill(-1);
  for (let column = 0; column < n; column++) {
    if (alive[column]) {
      position[column] = kept.length;
      kept.push(column);
    }
  }
  const m = kept.length;
  const system = new Float64Array(m * m);
  const keptScale = new Float64Array(m);
  const keptSide = new Float64Array(m);
  kept.forEach((column, p) => {
    system[p * m + p] = diagonal[column] as number;
    keptScale[p] = scale[column] as number;
    keptSide[p] = rhs[column] as number;
    for (const [other, value] of links[column] as Map<number, number>) {
      const q = position[other] as number;
      if (q >= 0 && q < p) system[p * m + q] = value;
    }
  });
  if (!choleskyInPlace(system, m, keptScale)) return null;
  choleskySolveInPlace(system, m, keptSide);
  const solution = new Float64Array(n);
  kept.forEach((column, p) => (solution[column] = keptSide[p] as number));
  for (let k = order.length - 1; k >= 0; k--) {
    const {others, values, side} = steps[k] as (typeof steps)[number];
    let value = side;
    for (let a = 0; a < others.length; a++) {
      value -= (values[a] as number) * (solution[others[a] as number] as number);
    }
    solution[order[k] as number] = value / (pivots[k] as number);
  }
  return solution;
}
