import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {visibleWindow} from '../../../source/screens/shared/listWindow.js';
import {sparkline} from '../../../source/screens/shared/sparkline.js';
import {RingBuffer} from '../../../source/screens/live/ringBuffer.js';
import {
  EMPTY_TAIL,
  RATE_HISTORY_SECONDS,
  TailEntry,
  TailFeed,
  type TailSnapshot,
} from '../../../source/screens/live/useTopicTail.js';
import type {
  BusMessage,
  MessageBus,
  MessageHandler,
  TailSubscription,
} from '../../../source/services/ports/MessageBus.js';

/** A bus whose test pushes messages synchronously, so that throttling can be checked exactly. */
class PushBus implements MessageBus {
  readonly kind = 'embedded';
  readonly description = 'push bus';
  handler: MessageHandler | undefined;
  closed = 0;
  ready: Promise<void> = Promise.resolve();
  failTail: Error | undefined;

  tail(_topic: string, _options: unknown, onMessage: MessageHandler): TailSubscription {
    if (this.failTail) throw this.failTail;
    this.handler = onMessage;
    return {
      ready: this.ready,
      close: async () => {
        this.closed += 1;
      },
    };
  }

  emit(offset: number, value: Buffer | null = Buffer.from(`{"n":${offset}}`)): void {
    void this.handler?.({
      topic: 't',
      partition: 0,
      offset,
      timestamp: Date.now(),
      key: null,
      value,
      headers: {},
    });
  }

  publish(): never {
    throw new Error('not used');
  }
  listTopics(): never {
    throw new Error('not used');
  }
  ensureTopics(): never {
    throw new Error('not used');
  }
  groupOffsets(): never {
    throw new Error('not used');
  }
  async close(): Promise<void> {}
}

describe('RingBuffer', () => {
  it('keeps the newest items up to its capacity, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.toArray()).toEqual([]);
    ring.push(1);
    ring.push(2);
    expect(ring.toArray()).toEqual([1, 2]);
    for (let n = 3; n <= 10; n++) ring.push(n);
    expect(ring.size).toBe(3);
    expect(ring.toArray()).toEqual([8, 9, 10]);
    ring.clear();
    expect(ring.size).toBe(0);
    ring.push(11);
    expect(ring.toArray()).toEqual([11]);
  });

  it('refuses a capacity below one', () => {
    expect(() => new RingBuffer(0)).toThrow(/capacity/);
  });
});

describe('TailFeed', () => {
  let bus: PushBus;
  let changes: TailSnapshot[];
  let feed: TailFeed | undefined;
  const open = (options = {}) => {
    feed = new TailFeed(bus, 't', 'latest', (s) => changes.push(s), options);
    return feed;
  };
  /** The changes that brought new messages. */
  const withEntries = () =>
    changes.filter((s, i) => s.entries !== (changes[i - 1] ?? EMPTY_TAIL).entries);

  beforeEach(() => {
    vi.useFakeTimers();
    bus = new PushBus();
    changes = [];
  });

  afterEach(async () => {
    await feed?.close();
    feed = undefined;
    vi.useRealTimers();
  });

  it('turns a burst into one update holding only the newest messages', async () => {
    open({capacity: 500, throttleMs: 100});
    await vi.advanceTimersByTimeAsync(0);
    expect(changes.at(-1)?.status).toBe('live');
    for (let offset = 0; offset < 5000; offset++) bus.emit(offset);
    expect(withEntries()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(100);
    const updates = withEntries();
    expect(updates).toHaveLength(1);
    const last = updates[0]!;
    expect(last.received).toBe(5000);
    expect(last.entries).toHaveLength(500);
    expect(last.entries[0]?.message.offset).toBe(4500);
    expect(last.entries.at(-1)?.message.offset).toBe(4999);
  });

  it('updates at most once per interval however fast messages arrive', async () => {
    open({throttleMs: 100});
    await vi.advanceTimersByTimeAsync(0);
    // 20 messages a millisecond for two seconds: 40,000 messages.
    let offset = 0;
    for (let ms = 0; ms < 2000; ms++) {
      for (let i = 0; i < 20; i++) bus.emit(offset++);
      await vi.advanceTimersByTimeAsync(1);
    }
    await vi.advanceTimersByTimeAsync(100);
    // 2,000 ms / 100 ms, plus the one pending at the end; and one rate update per second.
    expect(withEntries().length).toBeLessThanOrEqual(21);
    expect(changes.length).toBeLessThanOrEqual(21 + 2 + 1);
    expect(changes.at(-1)?.received).toBe(40_000);
    expect(changes.at(-1)?.entries).toHaveLength(500);
  });

  it('counts messages per second for the sparkline and goes quiet when nothing flows', async () => {
    open();
    await vi.advanceTimersByTimeAsync(0);
    for (let offset = 0; offset < 300; offset++) bus.emit(offset);
    await vi.advanceTimersByTimeAsync(1000);
    expect(changes.at(-1)?.rate).toBe(300);
    expect(changes.at(-1)?.history).toEqual([300]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(changes.at(-1)?.rate).toBe(0);
    expect(changes.at(-1)?.history).toEqual([300, 0]);
    await vi.advanceTimersByTimeAsync((RATE_HISTORY_SECONDS + 5) * 1000);
    expect(changes.at(-1)?.history).toHaveLength(RATE_HISTORY_SECONDS);
    expect(changes.at(-1)?.history.every((count) => count === 0)).toBe(true);
    const settled = changes.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(changes.length).toBe(settled);
  });

  it('keeps counting but freezes the entries while paused', async () => {
    const tail = open({capacity: 10});
    await vi.advanceTimersByTimeAsync(0);
    for (let offset = 0; offset < 3; offset++) bus.emit(offset);
    await vi.advanceTimersByTimeAsync(100);
    tail.setPaused(true);
    const frozen = changes.at(-1)!;
    expect(frozen.pausedAt).toBe(3);
    for (let offset = 3; offset < 30; offset++) bus.emit(offset);
    await vi.advanceTimersByTimeAsync(100);
    expect(changes.at(-1)?.received).toBe(30);
    expect(changes.at(-1)?.entries).toBe(frozen.entries);
    tail.setPaused(false);
    expect(changes.at(-1)?.pausedAt).toBeUndefined();
    // Bounded while paused too: the newest ten.
    expect(changes.at(-1)?.entries.map((e) => e.message.offset)).toEqual([
      20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
    ]);
  });

  it('stops updating and closes the subscription when closed', async () => {
    open();
    await vi.advanceTimersByTimeAsync(0);
    bus.emit(0);
    await feed!.close();
    const count = changes.length;
    bus.emit(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(changes.length).toBe(count);
    expect(bus.closed).toBe(1);
  });

  it('reports a tail that cannot start as one line, sync or async', async () => {
    bus.failTail = new Error('invalid topic name "x y"\nsecond line');
    open();
    await vi.advanceTimersByTimeAsync(0);
    expect(changes.at(-1)).toMatchObject({status: 'failed', error: 'invalid topic name "x y"'});

    bus.failTail = undefined;
    bus.ready = Promise.reject(new Error('cannot reach Kafka at 127.0.0.1:1'));
    changes = [];
    open();
    await vi.advanceTimersByTimeAsync(0);
    expect(changes.at(-1)).toMatchObject({
      status: 'failed',
      error: 'cannot reach Kafka at 127.0.0.1:1',
    });
  });
});

describe('TailEntry.line', () => {
  const message = (key: string | null, value: Buffer | null): BusMessage => ({
    topic: 't',
    partition: 2,
    offset: 41,
    timestamp: Date.UTC(2025, 0, 1),
    key,
    value,
    headers: {},
  });

  it('puts partition, offset, time, key and value on one line, escaping what is not text', () => {
    const json = new TailEntry(message('k1', Buffer.from('{\n "price": 12.5\n}'))).line;
    expect(json).toMatch(/^2:41 \d\d:\d\d:\d\d k1 \{"price":12\.5\}$/);
    const binary = new TailEntry(message(null, Buffer.from([0xff, 0x00, 0x41]))).line;
    expect(binary).toMatch(/ - \\xff\\x00A$/);
    const text = new TailEntry(message('a\nb', Buffer.from('not json\nat all'))).line;
    expect(text).toMatch(/ a\\nb not json\\nat all$/);
    expect(text).not.toContain('\n');
  });
});

describe('sparkline and visibleWindow', () => {
  it('maps counts to bars scaled to the largest', () => {
    expect(sparkline([0, 1, 5, 10])).toBe('▁▂▅█');
    expect(sparkline([0, 0])).toBe('▁▁');
  });

  it('shows the newest rows, or a window around the selection', () => {
    expect(visibleWindow(100, -1, 10)).toEqual([90, 100]);
    expect(visibleWindow(5, -1, 10)).toEqual([0, 5]);
    expect(visibleWindow(100, 50, 10)).toEqual([45, 55]);
    expect(visibleWindow(100, 2, 10)).toEqual([0, 10]);
    expect(visibleWindow(100, 99, 10)).toEqual([90, 100]);
  });
});
