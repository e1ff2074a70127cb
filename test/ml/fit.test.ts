import {Matrix, solve} from 'ml-matrix';
import MLR from 'ml-regression-multivariate-linear';
import {describe, expect, it} from 'vitest';
import {mulberry32} from '../../source/ml/dataset.js';
import {
  choleskyInPlace,
  choleskySolveInPlace,
  fitLinear,
  type SparseRow,
} from '../../source/ml/fit.js';

const random = mulberry32(2024);
const gaussian = () => random() + random() + random() - 1.5;

function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let difference = 0;
  let size = 0;
  for (let i = 0; i < expected.length; i++) {
    difference = Math.max(difference, Math.abs((actual[i] as number) - (expected[i] as number)));
    size = Math.max(size, Math.abs(expected[i] as number));
  }
  return difference / size;
}

const denseRow = (values: number[]): SparseRow => ({indices: values.map((_, i) => i), values});

/** One-hot rows: a numeric column, then levels of block A (0..4) and block B (0..2), no intercept. */
function oneHotProblem(rows: number) {
  const x: SparseRow[] = [];
  const y: number[] = [];
  for (let r = 0; r < rows; r++) {
    const a = Math.floor(random() * 5);
    const b = Math.floor(random() * 3);
    const numeric = gaussian();
    x.push({indices: [0, 1 + a, 6 + b], values: [numeric, 1, 1]});
    y.push(2 * numeric + a * 0.5 - b + 3 + 0.1 * gaussian());
  }
  return {x, y, columns: 9};
}

function toDense(x: readonly SparseRow[], columns: number): number[][] {
  return x.map((row) => {
    const dense = new Array<number>(columns).fill(0);
    row.indices.forEach((column, k) => (dense[column] = row.values[k] as number));
    return dense;
  });
}

describe('fitLinear', () => {
  it('equals the package’s dense least squares on a dense problem (alpha 0)', () => {
    const x = Array.from({length: 60}, () => Array.from({length: 6}, gaussian));
    const y = x.map(
      (row) => row.reduce((sum, value, i) => sum + value * (i - 2.5), 4) + gaussian(),
    );
    const fit = fitLinear(x.map(denseRow), y, 6, {alpha: 0});
    const reference = new MLR(
      x,
      y.map((value) => [value]),
      {statistics: false},
    ).weights.map((row) => row[0] as number);
    expect(fit.jitter).toBe(0);
    expect(relativeError([...fit.weights, fit.intercept], reference)).toBeLessThan(1e-6);
  });

  it('equals a dense ridge solve on a sparse one-hot problem (block elimination path)', () => {
    const {x, y, columns} = oneHotProblem(80);
    const alpha = 0.7;
    // Dense reference: (AᵀA + alpha I') w = Aᵀy with A = [X 1] and the intercept unpenalised.
    const a = new Matrix(toDense(x, columns).map((row) => [...row, 1]));
    const gram = a.transpose().mmul(a);
    for (let j = 0; j < columns; j++) gram.set(j, j, gram.get(j, j) + alpha);
    const reference = solve(gram, a.transpose().mmul(Matrix.columnVector(y))).getColumn(0);
    const fit = fitLinear(x, y, columns, {alpha});
    expect(relativeError([...fit.weights, fit.intercept], reference)).toBeLessThan(1e-6);
  });

  it('does not blow up on a rank-deficient design with alpha 0: the least-squares fit, via jitter', () => {
    const {x, y, columns} = oneHotProblem(80);
    const fit = fitLinear(x, y, columns, {alpha: 0});
    expect(fit.jitter).toBeGreaterThan(0);
    for (const weight of fit.weights) expect(Math.abs(weight)).toBeLessThan(100);
    // Weights are not unique here, fitted values are: compare with the package's SVD solution.
    const dense = toDense(x, columns);
    const reference = new MLR(
      dense,
      y.map((value) => [value]),
      {statistics: false},
    ).predict(dense);
    const fitted = dense.map((row) =>
      row.reduce((sum, value, i) => sum + value * (fit.weights[i] as number), fit.intercept),
    );
    expect(
      relativeError(
        fitted,
        reference.map((row) => row[0] as number),
      ),
    ).toBeLessThan(1e-5);
  });

  it('treats an all-zero column (a constant feature) as weight 0', () => {
    const x = Array.from({length: 20}, () => ({indices: [0], values: [gaussian()]}));
    const y = x.map((row) => 3 * (row.values[0] as number) + 1);
    const fit = fitLinear(x, y, 2, {alpha: 0});
    expect(fit.weights[0]).toBeCloseTo(3, 8);
    expect(fit.weights[1]).toBeCloseTo(0, 5);
    expect(fit.intercept).toBeCloseTo(1, 6);
  });

  it('refuses negative alpha and mismatched lengths', () => {
    expect(() => fitLinear([denseRow([1])], [1], 1, {alpha: -1})).toThrow(/alpha/);
    expect(() => fitLinear([denseRow([1])], [1, 2], 1, {alpha: 0})).toThrow(/1 rows but/);
  });
});

describe('choleskyInPlace', () => {
  it('factorises a positive definite matrix and solves with it', () => {
    const a = Float64Array.from([4, 0, 0, 2, 5, 0, 2, 1, 6]); // lower triangle used
    const factor = a.slice();
    expect(choleskyInPlace(factor, 3)).toBe(true);
    const b = Float64Array.from([1, 2, 3]);
    choleskySolveInPlace(factor, 3, b);
    const full = new Matrix([
      [4, 2, 2],
      [2, 5, 1],
      [2, 1, 6],
    ]);
    expect(relativeError(b, solve(full, Matrix.columnVector([1, 2, 3])).getColumn(0))).toBeLessThan(
      1e-12,
    );
  });

  it('reports a singular matrix instead of returning garbage', () => {
    expect(choleskyInPlace(Float64Array.from([1, 0, 1, 1]), 2)).toBe(false);
  });
});
