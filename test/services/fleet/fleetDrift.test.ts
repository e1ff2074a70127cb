import {describe, expect, it} from 'vitest';
import {driftWarnings, fleetDrift} from '../../../source/services/fleet/fleetDrift.js';
import {HeartbeatTable, type InstanceStatus} from '../../../source/services/fleet/fleetStatus.js';
import type {Heartbeat} from '../../../source/services/fleet/heartbeat.js';
import {heartbeat, statusRecord} from './fleetSupport.js';

const T0 = Date.parse('2026-01-01T00:01:00.000Z');

/** An instance as read back from the status topic (so the heartbeat schema takes it too). */
function instance(id: string, drift: Heartbeat['drift']): InstanceStatus {
  const table = new HeartbeatTable();
  table.add(statusRecord(heartbeat({id, drift})));
  expect(table.rejected).toBe(0);
  return table.instances('wine-tui', T0)[0]!;
}

describe('fleetDrift', () => {
  it('takes the worst figures of each field over the instances', () => {
    const drift = fleetDrift([
      instance('a', {
        region: {psi: 0.5, unknown_rate: 0.1},
        rating: {psi: 0.01, unknown_rate: null},
      }),
      instance('b', {
        region: {psi: 0.1, unknown_rate: 0.3},
        rating: {psi: 0.25, unknown_rate: null},
      }),
      instance('c', null),
    ]);
    expect(drift).toEqual({
      region: {psi: 0.5, unknown_rate: 0.3},
      rating: {psi: 0.25, unknown_rate: null},
    });
    expect(fleetDrift([instance('c', null)])).toBeNull();
  });

  it('warns about the fields above 0.2, worst first, and not otherwise', () => {
    expect(
      driftWarnings([
        instance('a', {
          region: {psi: 0.31, unknown_rate: 1},
          rating: {psi: 0.95, unknown_rate: null},
          body: {psi: 0.2, unknown_rate: null},
        }),
      ]),
    ).toEqual(['input drift (PSI > 0.2): rating 0.95, region 0.31']);
    expect(driftWarnings([instance('a', {region: {psi: 0.05, unknown_rate: 0}})])).toEqual([]);
  });
});
