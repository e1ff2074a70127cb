import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import type {Heartbeat} from '../../../source/services/fleet/heartbeat.js';
import {
  HeartbeatPublisher,
  type HeartbeatFigures,
} from '../../../source/services/fleet/HeartbeatPublisher.js';
import type {
  MessageBus,
  OutgoingMessage,
  PublishResult,
} from '../../../source/services/ports/MessageBus.js';

const START = Date.parse('2026-03-01T10:00:00.000Z');

/** Records publishes; `fail` makes them reject; `hold` keeps them pending until released. */
class FakeBus {
  readonly sent: Array<{topic: string; message: OutgoingMessage}> = [];
  fail: Error | null = null;
  hold = false;
  inFlight = 0;
  maxInFlight = 0;
  private releases: Array<() => void> = [];

  async publish(topic: string, message: OutgoingMessage): Promise<PublishResult> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.hold) await new Promise<void>((resolve) => this.releases.push(resolve));
      if (this.fail) throw this.fail;
      this.sent.push({topic, message});
      return {topic, partition: 0, offset: this.sent.length - 1};
    } finally {
      this.inFlight -= 1;
    }
  }

  release(): void {
    this.hold = false;
    for (const release of this.releases.splice(0)) release();
  }

  heartbeats(): Heartbeat[] {
    return this.sent.map((s) => s.message.value as Heartbeat);
  }
}

describe('HeartbeatPublisher', () => {
  let bus: FakeBus;
  let figures: HeartbeatFigures;
  let warnings: string[];
  let publisher: HeartbeatPublisher;

  beforeEach(() => {
    vi.useFakeTimers({now: START});
    bus = new FakeBus();
    warnings = [];
    figures = {
      partitions: [0, 2],
      version: 'v1',
      loading: null,
      rate: 4,
      p50_ms: 2,
      p99_ms: 8,
      dead_letters: 0,
      requests_total: 10,
      dead_letters_total: 1,
    };
    publisher = new HeartbeatPublisher({
      bus: bus as unknown as MessageBus,
      topic: 'wine_tui_status',
      group: 'g1',
      requests: 'predict_requests',
      guarantee: 'at-least-once',
      figures: () => ({...figures}),
      intervalMs: 1_000,
      onWarning: (line) => warnings.push(line),
      id: 'box-7:4242-a1b2c3',
    });
  });

  afterEach(async () => {
    bus.release();
    bus.fail = null;
    await publisher.stop();
    vi.useRealTimers();
  });

  it('publishes a full heartbeat at once on start, keyed by the instance id', async () => {
    publisher.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(bus.sent).toHaveLength(1);
    const [{topic, message}] = bus.sent as [(typeof bus.sent)[0]];
    expect(topic).toBe('wine_tui_status');
    expect(message.key).toBe('box-7:4242-a1b2c3');
    expect(message.value).toEqual({
      id: 'box-7:4242-a1b2c3',
      host: 'box-7',
      pid: process.pid,
      group: 'g1',
      state: 'running',
      topic: 'predict_requests',
      ...figures,
      guarantee: 'at-least-once',
      interval_ms: 1_000,
      started_at: new Date(START).toISOString(),
      sent_at: new Date(START).toISOString(),
    });
  });

  it('publishes every interval with the figures of the moment, and starting twice changes nothing', async () => {
    publisher.start();
    publisher.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(bus.sent).toHaveLength(1);
    figures = {...figures, version: 'v2', rate: 9, requests_total: 30};
    await vi.advanceTimersByTimeAsync(1);
    expect(bus.sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(3_000);
    const sent = bus.heartbeats();
    expect(sent).toHaveLength(5);
    expect(sent.map((h) => Date.parse(h.sent_at) - START)).toEqual([0, 1_000, 2_000, 3_000, 4_000]);
    expect(sent[0]).toMatchObject({version: 'v1', rate: 4, requests_total: 10});
    expect(sent[1]).toMatchObject({version: 'v2', rate: 9, requests_total: 30});
    // The start time stays that of the instance.
    expect(new Set(sent.map((h) => h.started_at))).toEqual(
      new Set([new Date(START).toISOString()]),
    );
  });

  it('stops with a final "stopped" record owning no partitions, then publishes nothing more', async () => {
    publisher.start();
    await vi.advanceTimersByTimeAsync(2_500);
    expect(bus.sent).toHaveLength(3);
    await publisher.stop();
    const last = bus.heartbeats().at(-1)!;
    expect(last).toMatchObject({state: 'stopped', partitions: [], version: 'v1'});
    expect(bus.sent).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(bus.sent).toHaveLength(4);
  });

  it('warns once per outage, says when heartbeats resume, and never throws', async () => {
    bus.fail = new Error('broker down');
    publisher.start();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(bus.sent).toHaveLength(0);
    expect(warnings).toEqual([
      'could not publish a heartbeat on wine_tui_status (broker down); serving goes on',
    ]);
    bus.fail = null;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(bus.sent).toHaveLength(1);
    expect(warnings.slice(1)).toEqual(['heartbeats on wine_tui_status resumed']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(warnings).toHaveLength(2);
    // A second outage is said again, once.
    bus.fail = new Error('broker down again');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(warnings).toHaveLength(3);
    expect(warnings[2]).toContain('broker down again');
    // stop() resolves even though its record cannot be sent.
    await expect(publisher.stop()).resolves.toBeUndefined();
    expect(warnings).toHaveLength(3);
  });

  it('survives figures that throw, as a failed heartbeat', async () => {
    let broken = true;
    const throwing = new HeartbeatPublisher({
      bus: bus as unknown as MessageBus,
      topic: 'wine_tui_status',
      group: 'g1',
      requests: 'predict_requests',
      guarantee: 'exactly-once',
      figures: () => {
        if (broken) throw new Error('no figures');
        return figures;
      },
      intervalMs: 1_000,
      onWarning: (line) => warnings.push(line),
    });
    throwing.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(bus.sent).toHaveLength(0);
    expect(warnings).toEqual([expect.stringContaining('(no figures)')]);
    broken = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(bus.heartbeats().map((h) => h.id)).toEqual([throwing.id]);
    await throwing.stop();
  });

  it('sends one heartbeat at a time, in order, behind a slow broker', async () => {
    bus.hold = true;
    publisher.start();
    await vi.advanceTimersByTimeAsync(3_000);
    const stopped = publisher.stop();
    await vi.advanceTimersByTimeAsync(0);
    expect(bus.inFlight).toBe(1);
    bus.release();
    await stopped;
    expect(bus.maxInFlight).toBe(1);
    const sent = bus.heartbeats();
    expect(sent).toHaveLength(5);
    // The "stopped" record lands last, whatever was queued before it.
    expect(sent.map((h) => h.state)).toEqual([
      'running',
      'running',
      'running',
      'running',
      'stopped',
    ]);
  });
});
