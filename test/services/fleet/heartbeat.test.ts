import {hostname} from 'node:os';
import {describe, expect, it} from 'vitest';
import {
  isStale,
  newInstanceId,
  parseHeartbeat,
  STALE_INTERVALS,
} from '../../../source/services/fleet/heartbeat.js';
import {heartbeat} from './fleetSupport.js';

const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('parseHeartbeat', () => {
  it('reads a heartbeat back as it was written', () => {
    const sent = heartbeat({loading: 'v2', p50_ms: null, p99_ms: null});
    expect(parseHeartbeat(bytes(sent))).toEqual({ok: true, heartbeat: sent});
  });

  const bad: Array<[string, Buffer | null, RegExp]> = [
    ['a null value', null, /^an empty status record$/],
    ['text that is not JSON', Buffer.from('hello'), /^a status record that is not JSON$/],
    ['a JSON array', bytes([1, 2]), /^a status record with a bad shape: /],
    ['no id', bytes({...heartbeat(), id: undefined}), /^a status record with a bad id: /],
    ['an empty id', bytes(heartbeat({id: ''})), /bad id/],
    ['an unknown state', bytes({...heartbeat(), state: 'dancing'}), /bad state/],
    ['a negative partition', bytes(heartbeat({partitions: [0, -1]})), /bad partitions\.1/],
    ['a negative rate', bytes(heartbeat({rate: -1})), /bad rate/],
    ['an unknown guarantee', bytes({...heartbeat(), guarantee: 'maybe'}), /bad guarantee/],
    ['a zero interval', bytes(heartbeat({interval_ms: 0})), /bad interval_ms/],
    [
      'a sent_at that is no time',
      bytes(heartbeat({sent_at: 'yesterday'})),
      /bad sent_at: an ISO time/,
    ],
    ['a fractional count', bytes(heartbeat({dead_letters: 1.5})), /bad dead_letters/],
  ];

  it.each(bad)('rejects %s with one reason', (_name, value, reason) => {
    const parsed = parseHeartbeat(value);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).toMatch(reason);
    expect(parsed.reason.split('\n')).toHaveLength(1);
  });
});

describe('isStale', () => {
  const sentAt = Date.parse('2026-01-01T00:01:00.000Z');
  const limit = STALE_INTERVALS * 5_000;

  it('is stale only once the heartbeat is older than three intervals', () => {
    expect(STALE_INTERVALS).toBe(3);
    const h = heartbeat();
    expect(isStale(h, sentAt)).toBe(false);
    expect(isStale(h, sentAt + limit)).toBe(false);
    expect(isStale(h, sentAt + limit + 1)).toBe(true);
  });

  it('scales with the interval the instance reports', () => {
    const h = heartbeat({interval_ms: 1_000});
    expect(isStale(h, sentAt + 3_000)).toBe(false);
    expect(isStale(h, sentAt + 3_001)).toBe(true);
  });

  it('never calls a stopped instance stale', () => {
    expect(isStale(heartbeat({state: 'stopped'}), sentAt + 24 * 3_600_000)).toBe(false);
  });
});

describe('newInstanceId', () => {
  it('is host:pid with a random suffix, new each time', () => {
    const a = newInstanceId();
    const b = newInstanceId();
    expect(a).toMatch(
      new RegExp(
        `^${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${process.pid}-[0-9a-f]{6}$`,
      ),
    );
    expect(a).not.toBe(b);
  });
});
