import {describe, expect, it} from 'vitest';
import {
  compareVersions,
  pctDiff,
  percentile,
  type ScoredPair,
} from '../../../source/services/app/replayStats.js';

/** Pairs with the prices given, request ids r0, r1, ... in that order. */
function pairs(prices: Array<[number, number]>): ScoredPair<{n: number}>[] {
  return prices.map(([a, b], n) => ({request_id: `r${n}`, input: {n}, price_a: a, price_b: b}));
}

/** The p-quantile by linear interpolation between closest ranks, written out step by step. */
function quantile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  const position = p * (sorted.length - 1);
  const lower = sorted[Math.floor(position)]!;
  const upper = sorted[Math.ceil(position)]!;
  return lower + (upper - lower) * (position - Math.floor(position));
}

describe('percentile', () => {
  it('interpolates between the nearest ranks', () => {
    // Even count: p50 is the mean of the middle two.
    expect(percentile([1, 2, 3, 4], 0.5)).toBe((2 + 3) / 2);
    // Rank 0.9 · 1 = 0.9 of the way from 10 to 20.
    expect(percentile([10, 20], 0.9)).toBeCloseTo(10 + 0.9 * (20 - 10), 12);
    expect(percentile([7], 0.99)).toBe(7);
    const values = [0.3, 0.01, 0.5, 0.12, 0.07];
    const sorted = [...values].sort((x, y) => x - y);
    expect(percentile(sorted, 0)).toBe(Math.min(...values));
    expect(percentile(sorted, 1)).toBe(Math.max(...values));
    // Odd count: p50 is the middle value itself.
    expect(percentile(sorted, 0.5)).toBe(sorted[2]);
    expect(percentile(sorted, 0.99)).toBeLessThan(Math.max(...values));
  });

  it('refuses an empty list and a p outside [0, 1]', () => {
    expect(() => percentile([], 0.5)).toThrow(/empty/);
    expect(() => percentile([1], 1.5)).toThrow(/between 0 and 1/);
    expect(() => percentile([1], Number.NaN)).toThrow(/between 0 and 1/);
  });
});

describe('compareVersions', () => {
  it('matches a direct computation of every figure', () => {
    const prices: Array<[number, number]> = [
      [100, 104],
      [50, 40],
      [20, 22],
      [80, 80],
      [12.5, 20],
      [300, 330],
      [45, 44.1],
    ];
    const stats = compareVersions(pairs(prices));

    const pcts: number[] = [];
    let sumPct = 0;
    let sumDiff = 0;
    let within = 0;
    for (const [a, b] of prices) {
      const pct = Math.abs(b - a) / a;
      pcts.push(pct);
      sumPct += pct;
      sumDiff += b - a;
      if (pct <= 0.1) within += 1;
    }
    expect(stats.count).toBe(prices.length);
    expect(stats.mean_abs_pct_diff).toBeCloseTo(sumPct / prices.length, 12);
    expect(stats.p50).toBeCloseTo(quantile(pcts, 0.5), 12);
    expect(stats.p90).toBeCloseTo(quantile(pcts, 0.9), 12);
    expect(stats.p99).toBeCloseTo(quantile(pcts, 0.99), 12);
    expect(stats.max).toBe(Math.max(...pcts));
    expect(stats.within_10pct).toBe(within / prices.length);
    expect(stats.mean_diff).toBeCloseTo(sumDiff / prices.length, 12);

    const byPct = pcts.map((pct, n) => ({pct, n})).sort((x, y) => y.pct - x.pct);
    expect(stats.largest.map((d) => d.request_id)).toEqual(byPct.map(({n}) => `r${n}`));
    for (const d of stats.largest) {
      const [a, b] = prices[d.input.n]!;
      expect(d).toMatchObject({price_a: a, price_b: b});
      expect(d.pct_diff).toBeCloseTo(Math.abs(b - a) / a, 12);
    }
  });

  it('counts a difference of exactly 10% as within 10%, and one just above as not', () => {
    const stats = compareVersions(
      pairs([
        [100, 110],
        [100, 90],
        [100, 110.01],
        [100, 100],
      ]),
    );
    expect(stats.within_10pct).toBe(3 / 4);
  });

  it('gives a negative mean difference when B prices lower', () => {
    const stats = compareVersions(
      pairs([
        [100, 90],
        [10, 9.5],
      ]),
    );
    expect(stats.mean_diff).toBeCloseTo((90 - 100 + (9.5 - 10)) / 2, 12);
    expect(stats.mean_diff!).toBeLessThan(0);
  });

  it('keeps the 10 largest disagreements, largest first, ties in replay order', () => {
    // Differences 1% ... 12%, shuffled; r12 and r13 tie at 12%.
    const percents = [5, 12, 1, 9, 3, 11, 7, 2, 10, 8, 4, 6, 12];
    const stats = compareVersions(pairs(percents.map((p) => [100, 100 + p])));
    expect(stats.largest).toHaveLength(10);
    const expected = percents
      .map((p, n) => ({p, n}))
      .sort((x, y) => y.p - x.p || x.n - y.n)
      .slice(0, 10)
      .map(({n}) => `r${n}`);
    expect(stats.largest.map((d) => d.request_id)).toEqual(expected);
    expect(stats.largest[0]!.request_id).toBe('r1');
    expect(stats.largest[1]!.request_id).toBe('r12');
    expect(compareVersions(pairs([[1, 2]]), {largest: 0}).largest).toEqual([]);
  });

  it('has null figures and no disagreements when nothing was compared', () => {
    expect(compareVersions([])).toEqual({
      count: 0,
      mean_abs_pct_diff: null,
      p50: null,
      p90: null,
      p99: null,
      max: null,
      within_10pct: null,
      mean_diff: null,
      largest: [],
    });
  });

  it('measures the difference relative to A', () => {
    expect(pctDiff(200, 100)).toBe(0.5);
    expect(pctDiff(100, 200)).toBe(1);
  });
});
