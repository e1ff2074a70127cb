import {describe, expect, it} from 'vitest';
import {
  fleetWarnings,
  HeartbeatTable,
  liveInstances,
  type InstanceStatus,
} from '../../../source/services/fleet/fleetStatus.js';
import type {LagFigures} from '../../../source/services/fleet/LagTracker.js';
import {heartbeat, statusRecord} from './fleetSupport.js';

const T0 = Date.parse('2026-01-01T00:01:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

function table(...records: Parameters<typeof statusRecord>[]) {
  const t = new HeartbeatTable();
  for (const args of records) t.add(statusRecord(...args));
  return t;
}

describe('HeartbeatTable', () => {
  it('keeps the newest heartbeat of each instance by sent_at, whatever the order they arrive in', () => {
    const t = table(
      [heartbeat({id: 'a', sent_at: at(5_000), version: 'v2'})],
      [heartbeat({id: 'a', sent_at: at(0), version: 'v1'})],
      [heartbeat({id: 'b', host: 'host-b', sent_at: at(0), version: 'v1'})],
      [heartbeat({id: 'b', host: 'host-b', sent_at: at(1_000), version: 'v3'})],
    );
    const instances = t.instances('wine-tui', T0 + 5_000);
    expect(instances.map((i) => [i.id, i.version, i.last_seen])).toEqual([
      ['a', 'v2', at(5_000)],
      ['b', 'v3', at(1_000)],
    ]);
    expect(t.rejected).toBe(0);
  });

  it('lets a later record with the same sent_at win', () => {
    const t = table(
      [heartbeat({id: 'a', sent_at: at(0), rate: 1})],
      [heartbeat({id: 'a', sent_at: at(0), rate: 2})],
    );
    expect(t.instances('wine-tui', T0)[0]!.rate).toBe(2);
  });

  it('removes an instance on a tombstone (a null value under its key)', () => {
    const t = table([heartbeat({id: 'a'})], [heartbeat({id: 'b', host: 'host-b'})], [null, 'a']);
    expect(t.instances('wine-tui', T0).map((i) => i.id)).toEqual(['b']);
    expect(t.rejected).toBe(0);
  });

  it('counts records that are not heartbeats, keeping where the last one was and why', () => {
    const t = new HeartbeatTable();
    t.add(statusRecord(Buffer.from('garbage'), 'x'));
    t.add(statusRecord(null, null));
    const bad = statusRecord(Buffer.from(JSON.stringify({...heartbeat(), state: 'odd'})), 'y');
    t.add(bad);
    t.add(statusRecord(heartbeat()));
    expect(t.rejected).toBe(3);
    expect(t.lastRejection).toMatch(
      new RegExp(`^wine_tui_status/0@${bad.offset}: a status record with a bad state: \\S`),
    );
    expect(t.instances('wine-tui', T0)).toHaveLength(1);
  });

  it('lists only the asked group, and names every group that reported', () => {
    const t = table(
      [heartbeat({id: 'a', group: 'blue'})],
      [heartbeat({id: 'b', group: 'green'})],
      [heartbeat({id: 'c', group: 'blue'})],
    );
    expect(t.instances('blue', T0).map((i) => i.id)).toEqual(['a', 'c']);
    expect(t.instances('red', T0)).toEqual([]);
    expect(t.groups()).toEqual(['blue', 'green']);
  });

  it('maps a heartbeat to its status, stale once older than three intervals', () => {
    const h = heartbeat({id: 'a', sent_at: at(0), interval_ms: 1_000});
    const t = table([h]);
    const [fresh] = t.instances('wine-tui', T0 + 3_000);
    expect(fresh).toEqual({
      id: 'a',
      host: h.host,
      state: 'running',
      version: h.version,
      loading: h.loading,
      partitions: h.partitions,
      rate: h.rate,
      p50_ms: h.p50_ms,
      p99_ms: h.p99_ms,
      dead_letters: h.dead_letters,
      dead_letters_total: h.dead_letters_total,
      requests_total: h.requests_total,
      guarantee: h.guarantee,
      interval_ms: 1_000,
      last_seen: at(0),
      stale: false,
      challenger: null,
      agreement: null,
      drift: null,
    });
    expect(t.instances('wine-tui', T0 + 3_001)[0]!.stale).toBe(true);
  });

  it('keeps a stopped instance for ten minutes, never stale, listed after the running ones', () => {
    const t = table(
      [heartbeat({id: 'z-stopped', host: 'aaa', state: 'stopped', partitions: [], sent_at: at(0)})],
      [heartbeat({id: 'b2', host: 'host-b', sent_at: at(0)})],
      [heartbeat({id: 'b1', host: 'host-b', sent_at: at(0)})],
      [heartbeat({id: 'a9', host: 'host-a', sent_at: at(-60_000)})],
    );
    const listed = t.instances('wine-tui', T0 + 10 * 60_000 - 1);
    expect(listed.map((i) => [i.id, i.stale])).toEqual([
      ['a9', true],
      ['b1', true],
      ['b2', true],
      ['z-stopped', false],
    ]);
    expect(t.instances('wine-tui', T0 + 10 * 60_000).map((i) => i.id)).toEqual(['a9', 'b1', 'b2']);
    // A shorter keep time is honoured.
    expect(t.instances('wine-tui', T0 + 1_000, 1_000).map((i) => i.id)).toEqual(['a9', 'b1', 'b2']);
  });
});

function instance(overrides: Partial<InstanceStatus> = {}): InstanceStatus {
  const t = table([heartbeat()]);
  return {...t.instances('wine-tui', T0)[0]!, ...overrides};
}

function lag(overrides: Partial<LagFigures> = {}): LagFigures {
  return {
    total: 0,
    rate: 10,
    seconds: 0,
    notDraining: false,
    growingForMs: 0,
    trend: [0],
    partitions: [],
    ...overrides,
  };
}

describe('liveInstances', () => {
  it('keeps the running instances that are not stale', () => {
    const all = [
      instance({id: 'ok'}),
      instance({id: 'stale', stale: true}),
      instance({id: 'stopped', state: 'stopped'}),
      instance({id: 'starting', state: 'starting'}),
    ];
    expect(liveInstances(all).map((i) => i.id)).toEqual(['ok', 'starting']);
  });
});

describe('fleetWarnings', () => {
  const healthy = [instance({id: 'a', version: 'v2'}), instance({id: 'b', version: 'v2'})];

  it('says nothing when the fleet is healthy', () => {
    expect(fleetWarnings({instances: healthy, lag: lag({total: 3, seconds: 0.3})}, 'v2')).toEqual(
      [],
    );
    expect(fleetWarnings({instances: healthy, lag: null}, null)).toEqual([]);
    // No lag and nobody serving is quiet too: there is nothing to answer.
    expect(fleetWarnings({instances: [], lag: lag()}, 'v2')).toEqual([]);
  });

  it('says when requests wait and no instance is serving', () => {
    const warnings = fleetWarnings(
      {
        instances: [instance({id: 'gone', state: 'stopped'})],
        lag: lag({total: 42, rate: 0, notDraining: true}),
      },
      null,
    );
    expect(warnings).toEqual(['42 requests waiting and no instance is serving']);
  });

  it('says when lag is not draining although instances run', () => {
    expect(
      fleetWarnings({instances: healthy, lag: lag({total: 7, rate: 0, notDraining: true})}, 'v2'),
    ).toEqual(['lag 7 and not draining']);
  });

  it('says when lag has grown for more than a minute', () => {
    expect(
      fleetWarnings({instances: healthy, lag: lag({total: 900, growingForMs: 60_000})}, 'v2'),
    ).toEqual([]);
    expect(
      fleetWarnings({instances: healthy, lag: lag({total: 900, growingForMs: 75_400})}, 'v2'),
    ).toEqual(['lag growing for 75 s (now 900)']);
  });

  it('names the stale instances', () => {
    expect(
      fleetWarnings({instances: [...healthy, instance({id: 'c', stale: true})], lag: null}, 'v2'),
    ).toEqual(['1 instance stale: c']);
    expect(
      fleetWarnings(
        {
          instances: [instance({id: 'c', stale: true}), instance({id: 'd', stale: true})],
          lag: null,
        },
        null,
      ),
    ).toEqual(['2 instances stale: c, d']);
  });

  it('says when live instances serve different versions, leaving stale and stopped ones out', () => {
    expect(
      fleetWarnings(
        {
          instances: [
            instance({id: 'a', version: 'v1'}),
            instance({id: 'b', version: 'v2'}),
            instance({id: 'c', version: null}),
          ],
          lag: null,
        },
        null,
      ),
    ).toEqual(['instances serve different versions: v1, v2, none']);
    expect(
      fleetWarnings(
        {
          instances: [...healthy, instance({id: 'old', version: 'v1', state: 'stopped'})],
          lag: null,
        },
        'v2',
      ),
    ).toEqual([]);
  });

  it('says when the newest announced version serves nowhere yet', () => {
    expect(fleetWarnings({instances: healthy, lag: null}, 'v3')).toEqual([
      'newest version v3 is not serving anywhere yet',
    ]);
    // Nobody is serving at all: the other warnings say so; this one would be noise.
    expect(fleetWarnings({instances: [], lag: null}, 'v3')).toEqual([]);
    expect(
      fleetWarnings(
        {
          instances: [instance({id: 'a', version: 'v3'}), instance({id: 'b', version: 'v2'})],
          lag: null,
        },
        'v3',
      ),
    ).toEqual(['instances serve different versions: v3, v2']);
  });

  it('lists several problems most urgent first', () => {
    const warnings = fleetWarnings(
      {
        instances: [
          instance({id: 'a', version: 'v1'}),
          instance({id: 'b', version: 'v2'}),
          instance({id: 'c', stale: true}),
        ],
        lag: lag({total: 50, rate: 0, notDraining: true, growingForMs: 120_000}),
      },
      'v3',
    );
    expect(warnings).toEqual([
      'lag 50 and not draining',
      'lag growing for 120 s (now 50)',
      '1 instance stale: c',
      'instances serve different versions: v1, v2',
      'newest version v3 is not serving anywhere yet',
    ]);
  });
});
