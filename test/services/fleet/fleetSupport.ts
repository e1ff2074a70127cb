/** What the fleet tests share: heartbeats with sensible defaults, and status records made of them. */
import type {Heartbeat} from '../../../source/services/fleet/heartbeat.js';
import type {BusMessage} from '../../../source/services/ports/MessageBus.js';

export function heartbeat(overrides: Partial<Heartbeat> = {}): Heartbeat {
  return {
    id: 'host-a:100-abcdef',
    host: 'host-a',
    pid: 100,
    group: 'wine-tui',
    state: 'running',
    topic: 'predict_requests',
    partitions: [0, 1],
    version: 'v1',
    loading: null,
    guarantee: 'exactly-once',
    rate: 12.5,
    p50_ms: 1.5,
    p99_ms: 9,
    dead_letters: 1,
    requests_total: 100,
    dead_letters_total: 3,
    interval_ms: 5_000,
    started_at: '2026-01-01T00:00:00.000Z',
    sent_at: '2026-01-01T00:01:00.000Z',
    ...overrides,
  };
}

let nextOffset = 0;

/** A record of the status topic: a heartbeat, raw bytes, or a tombstone (null). */
export function statusRecord(value: Heartbeat | Buffer | null, key?: string | null): BusMessage {
  return {
    topic: 'wine_tui_status',
    partition: 0,
    offset: nextOffset++,
    timestamp: 0,
    key: key !== undefined ? key : value && !Buffer.isBuffer(value) ? value.id : null,
    value:
      value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value)),
    headers: {},
  };
}
