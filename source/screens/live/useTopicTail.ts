import {useCallback, useEffect, useMemo, useRef, useState} from 'react';
import type {BusMessage, MessageBus, TailOptions} from '../../services/ports/MessageBus.js';
import {decodeValue, valueOneLine} from '../../services/messages/messageView.js';
import {useServices} from '../shared/AppContext.js';
import {errorLine} from '../shared/errorLine.js';
import {clockTime, escapeControlChars} from './messageText.js';
import {RingBuffer} from './ringBuffer.js';

export type TailFrom = TailOptions['from'];

/** Messages kept per pane; older ones are dropped, so memory stays flat during a flood. */
export const TAIL_CAPACITY = 500;
/** At most one state update per this many ms (~10 per second), however fast messages arrive. */
export const TAIL_THROTTLE_MS = 100;
/** Seconds of per-second counts kept for the sparkline. */
export const RATE_HISTORY_SECONDS = 30;

let nextSeq = 0;

/** One buffered message; its one-line text is built on first use (most of a flood is not shown). */
export class TailEntry {
  /** Unique in the process: React key and selection identity, even when a replay repeats them. */
  readonly seq = nextSeq++;
  private text: string | undefined;

  constructor(readonly message: BusMessage) {}

  /** `partition:offset HH:MM:SS key value` with the value on one line, escaped when not text. */
  get line(): string {
    if (this.text === undefined) {
      const m = this.message;
      const key = m.key === null ? '-' : escapeControlChars(m.key);
      const value = valueOneLine(decodeValue(m.value));
      this.text = `${m.partition}:${m.offset} ${clockTime(m.timestamp)} ${key} ${value}`;
    }
    return this.text;
  }
}

export interface TailSnapshot {
  /** The buffered messages, oldest first (at most the capacity). */
  entries: readonly TailEntry[];
  /** Messages received since the tail (re)started. */
  received: number;
  /** Messages in the last complete second. */
  rate: number;
  /** Messages per second, oldest first, for the last RATE_HISTORY_SECONDS seconds. */
  history: readonly number[];
  status: 'starting' | 'live' | 'failed';
  /** One line, when the tail failed. */
  error?: string;
  /** While paused: `received` when the shown entries were taken (entries stay as they were). */
  pausedAt?: number;
}

export const EMPTY_TAIL: TailSnapshot = {
  entries: [],
  received: 0,
  rate: 0,
  history: [],
  status: 'starting',
};

export interface TailFeedOptions {
  capacity?: number;
  throttleMs?: number;
  /** Start paused (see setPaused). */
  paused?: boolean;
}

/**
 * The tail behind a pane, without React: one bus subscription, a ring buffer, and at most one
 * `onChange` per throttle interval (plus one per second for the rate while there is traffic).
 */
export class TailFeed {
  private readonly ring: RingBuffer<TailEntry>;
  private readonly throttleMs: number;
  private readonly subscription: {close(): Promise<void>} | undefined;
  private snapshot: TailSnapshot = EMPTY_TAIL;
  private received = 0;
  private thisSecond = 0;
  private history: number[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly rateTimer: NodeJS.Timeout;
  private stopped = false;
  private paused = false;

  constructor(
    bus: MessageBus,
    topic: string,
    from: TailFrom,
    private readonly onChange: (snapshot: TailSnapshot) => void,
    {capacity = TAIL_CAPACITY, throttleMs = TAIL_THROTTLE_MS, paused = false}: TailFeedOptions = {},
  ) {
    this.ring = new RingBuffer(capacity);
    this.throttleMs = throttleMs;
    if (paused) {
      this.paused = true;
      this.snapshot = {...this.snapshot, pausedAt: 0};
    }
    this.rateTimer = setInterval(() => this.tick(), 1000);
    try {
      const subscription = bus.tail(topic, {from}, (message) => this.receive(message));
      this.subscription = subscription;
      subscription.ready.then(
        () => this.update({status: 'live'}),
        (error: unknown) => this.update({status: 'failed', error: errorLine(error)}),
      );
    } catch (error) {
      // Reported asynchronously, like every other change, never during the caller's render.
      void Promise.resolve().then(() => this.update({status: 'failed', error: errorLine(error)}));
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.flushTimer);
    clearInterval(this.rateTimer);
    this.ring.clear();
    await this.subscription?.close().catch(() => {});
  }

  /** Freezes `entries` (messages are still received, buffered and counted) or thaws them. */
  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    if (paused) {
      this.update({pausedAt: this.snapshot.received});
    } else {
      const {pausedAt: _, ...rest} = this.snapshot;
      this.snapshot = rest;
      this.update({entries: this.ring.toArray(), received: this.received});
    }
  }

  private receive(message: BusMessage): void {
    if (this.stopped) return;
    // A copy: a kafkajs value is a slice of the whole fetch response, which it would keep alive.
    const value = message.value && Buffer.from(message.value);
    this.ring.push(new TailEntry({...message, value}));
    this.received += 1;
    this.thisSecond += 1;
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.update(
        this.paused
          ? {received: this.received}
          : {entries: this.ring.toArray(), received: this.received},
      );
    }, this.throttleMs);
  }

  private tick(): void {
    const wasIdle = this.snapshot.rate === 0 && !this.history.some((count) => count > 0);
    this.history = [...this.history, this.thisSecond].slice(-RATE_HISTORY_SECONDS);
    const rate = this.thisSecond;
    this.thisSecond = 0;
    // No render at all while nothing flows.
    if (wasIdle && rate === 0) return;
    this.update({rate, history: this.history});
  }

  private update(change: Partial<TailSnapshot>): void {
    if (this.stopped) return;
    this.snapshot = {...this.snapshot, ...change};
    this.onChange(this.snapshot);
  }
}

export interface TopicTail extends TailSnapshot {
  from: TailFrom;
  /** Closes the current tail and starts a new one (its buffer and counts start empty). */
  restart(from: TailFrom): void;
}

export interface TopicTailOptions {
  capacity?: number;
  throttleMs?: number;
  /** Freezes `entries` while messages keep being received and counted. */
  paused?: boolean;
}

/**
 * Tails one topic for a screen through services.bus: the subscription lives as long as the
 * component (or until restart), state updates are throttled (TailFeed) and tail errors end up in
 * `error` instead of being thrown.
 */
export function useTopicTail(
  topic: string,
  initialFrom: TailFrom,
  {capacity, throttleMs, paused = false}: TopicTailOptions = {},
): TopicTail {
  const {bus} = useServices();
  const [start, setStart] = useState({from: initialFrom, generation: 0});
  const [snapshot, setSnapshot] = useState<TailSnapshot>(EMPTY_TAIL);
  const feedRef = useRef<TailFeed | undefined>(undefined);
  // Read when a (re)started feed is created, without recreating it on every pause.
  const pausedRef = useRef(paused);
  useEffect(() => {
    const feed = new TailFeed(bus, topic, start.from, setSnapshot, {
      ...(capacity === undefined ? {} : {capacity}),
      ...(throttleMs === undefined ? {} : {throttleMs}),
      paused: pausedRef.current,
    });
    feedRef.current = feed;
    return () => {
      feedRef.current = undefined;
      void feed.close();
    };
  }, [bus, topic, start, capacity, throttleMs]);
  useEffect(() => {
    pausedRef.current = paused;
    // The feed decides what is frozen: it alone knows exactly what was shown when the key came.
    feedRef.current?.setPaused(paused);
  }, [paused]);
  const restart = useCallback((from: TailFrom) => {
    setSnapshot(EMPTY_TAIL);
    setStart((previous) => ({from, generation: previous.generation + 1}));
  }, []);
  // Stable between updates, so memoised panes skip renders that change nothing of theirs.
  return useMemo(() => ({...snapshot, from: start.from, restart}), [snapshot, start.from, restart]);
}
