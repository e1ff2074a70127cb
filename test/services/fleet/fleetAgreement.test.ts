import {describe, expect, it} from 'vitest';
import {challengerWarnings, fleetAgreement} from '../../../source/services/fleet/fleetAgreement.js';
import {
  HeartbeatTable,
  liveInstances,
  type InstanceStatus,
} from '../../../source/services/fleet/fleetStatus.js';
import type {Agreement} from '../../../source/services/predictor/ShadowAgreement.js';
import {unicoWithout} from '../../support/wines.js';
import {heartbeat, statusRecord} from './fleetSupport.js';

const T0 = Date.parse('2026-01-01T00:01:00.000Z');
const wine = {...unicoWithout('num_reviews', 'acidity'), num_reviews: null, acidity: null};

/** An instance as read back from the status topic (so the heartbeat schema takes it too). */
function instance(id: string, overrides: Parameters<typeof heartbeat>[0] = {}): InstanceStatus {
  const table = new HeartbeatTable();
  table.add(statusRecord(heartbeat({id, ...overrides})));
  expect(table.rejected).toBe(0);
  return table.instances('wine-tui', T0)[0]!;
}

const agreement = (count: number, mean: number, within: number, worst: number): Agreement => ({
  champion: 'v1',
  challenger: 'v2',
  count,
  mean_abs_pct_diff: mean,
  within_10pct: within,
  largest: [
    {
      request_id: `r-${worst}`,
      input: wine,
      champion_price: 100,
      challenger_price: 100 + worst,
      pct_diff: worst / 100,
    },
  ],
});

const challenger = {version: 'v2', loading: null, error: null, canary_percent: 0};

describe('fleetAgreement', () => {
  it('pools the live instances comparing the same pair, weighted by their counts', () => {
    const pooled = fleetAgreement(
      liveInstances([
        instance('a', {challenger, agreement: agreement(100, 0.02, 0.9, 30)}),
        instance('b', {
          challenger: {...challenger, canary_percent: 30},
          agreement: agreement(300, 0.06, 0.5, 60),
        }),
        instance('c', {challenger, agreement: agreement(1_000, 0.5, 0, 90), state: 'stopped'}),
      ]),
    );
    expect(pooled).toMatchObject({champion: 'v1', challenger: 'v2', count: 400, canaryPercent: 30});
    expect(pooled!.mean_abs_pct_diff).toBeCloseTo((100 * 0.02 + 300 * 0.06) / 400, 12);
    expect(pooled!.within_10pct).toBeCloseTo((100 * 0.9 + 300 * 0.5) / 400, 12);
    expect(pooled!.largest.map((d) => d.request_id)).toEqual(['r-60', 'r-30']);
  });

  it('is null when no live instance compares two versions', () => {
    expect(
      fleetAgreement([instance('a'), instance('b', {challenger, agreement: null})]),
    ).toBeNull();
  });
});

describe('challengerWarnings', () => {
  it('says which challenger live instances could not load, and why', () => {
    const failing = {
      version: null,
      loading: 'v3',
      error: 'the store is unreachable',
      canary_percent: 0,
    };
    expect(
      challengerWarnings([
        instance('a', {challenger: failing}),
        instance('b', {challenger: failing}),
      ]),
    ).toEqual([
      'challenger v3 not loaded on 2 instances (champion alone): the store is unreachable',
    ]);
    expect(challengerWarnings([instance('a', {challenger})])).toEqual([]);
  });
});
