/**
 * The figures of `wine-tui models replay`: how far version B's prices are from version A's over the
 * same inputs. Pure arithmetic, no I/O, so that it can be checked against a plain computation.
 */

/** One input priced by both versions. */
export interface ScoredPair<I = unknown> {
  request_id: string;
  input: I;
  price_a: number;
  price_b: number;
}

export interface Disagreement<I = unknown> extends ScoredPair<I> {
  /** |price_b - price_a| / price_a. */
  pct_diff: number;
}

/** Null figures when nothing was compared (no pair to take a mean or a percentile of). */
export interface ReplayStats<I = unknown> {
  count: number;
  mean_abs_pct_diff: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  /** Share (0 to 1) of pairs whose pct_diff is at most 0.1. */
  within_10pct: number | null;
  /** Mean of price_b - price_a, in price units: which way B leans, and by how much. */
  mean_diff: number | null;
  /** The largest pct_diff first; ties keep the pairs' order. */
  largest: Disagreement<I>[];
}

export const WITHIN = 0.1;
export const LARGEST = 10;

/** |b - a| / a: the difference relative to A, the version being compared against. */
export function pctDiff(priceA: number, priceB: number): number {
  return Math.abs(priceB - priceA) / priceA;
}

/**
 * The p-quantile (0 <= p <= 1) of ascending `sorted`, interpolating linearly between the two
 * nearest ranks (rank p·(n-1), as numpy's default), so that p50 of an even count is the mean of
 * the middle two and p99 of a small set is not simply its maximum.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of an empty list');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile ${p} is not between 0 and 1`);
  const rank = p * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  const low = sorted[below]!;
  return low + (sorted[above]! - low) * (rank - below);
}

/**
 * The distribution of B's differences from A over `pairs`. Every price_a must be a positive
 * number: the caller leaves out inputs that A does not price above zero (a percentage of them
 * means nothing).
 */
export function compareVersions<I>(
  pairs: readonly ScoredPair<I>[],
  {largest = LARGEST}: {largest?: number} = {},
): ReplayStats<I> {
  const count = pairs.length;
  if (count === 0) {
    return {
      count,
      mean_abs_pct_diff: null,
      p50: null,
      p90: null,
      p99: null,
      max: null,
      within_10pct: null,
      mean_diff: null,
      largest: [],
    };
  }
  const disagreements = pairs.map((pair) => ({
    ...pair,
    pct_diff: pctDiff(pair.price_a, pair.price_b),
  }));
  const pcts = disagreements.map((d) => d.pct_diff);
  const sorted = [...pcts].sort((x, y) => x - y);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return {
    count,
    mean_abs_pct_diff: sum(pcts) / count,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted[count - 1]!,
    within_10pct: pcts.filter((pct) => pct <= WITHIN).length / count,
    mean_diff: sum(pairs.map((pair) => pair.price_b - pair.price_a)) / count,
    // Array.prototype.sort is stable: equal differences stay in replay order.
    largest: disagreements.sort((x, y) => y.pct_diff - x.pct_diff).slice(0, largest),
  };
}
