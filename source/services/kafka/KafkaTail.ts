import {headerText} from './kafkaHeaders.js';
import {randomUUID} from 'node:crypto';
// Types only: kafkajs itself is imported on first use, to keep start-up fast.
import type {Admin, Consumer, Kafka} from 'kafkajs';
import type {
  BusMessage,
  MessageHandler,
  TailOptions,
  TailSubscription,
} from '../ports/MessageBus.js';
import {backoff, pause, type Backoff} from '../retry.js';

/** What a tail needs from the bus that owns it. */
export interface TailHost {
  readonly clientId: string;
  connectClient(): Promise<{kafka: Kafka}>;
  connectedAdmin(): Promise<Admin>;
  explain(error: unknown, topic?: string): Error;
  warn(message: string): void;
}

export interface KafkaTailTuning {
  /** How long a fetch waits at the broker for new data; bounds how long closing a tail takes. */
  fetchMaxWaitMs: number;
  /** How often a missing topic is looked for, and the first back-off after a failure. */
  pollMs: number;
  /** The longest back-off between two attempts. */
  maxBackoffMs: number;
  /** A consumer that delivers nothing for this long while the topic has more is replaced. */
  stallMs: number;
}

const DEFAULT_TUNING: KafkaTailTuning = {
  fetchMaxWaitMs: 500,
  pollMs: 1_000,
  maxBackoffMs: 5_000,
  stallMs: 15_000,
};

/**
 * One tail is a supervisor over a succession of kafkajs consumers, each in a throwaway group
 * (`<clientId>-tail-<uuid>`) with auto-commit off: kafkajs 2 cannot assign partitions without a
 * group, and a group of its own means this tail gets every partition and commits nothing.
 *
 * The tail, not kafkajs, owns recovery, because kafkajs can stop a consumer for good after a
 * broker restart, or keep one that no longer fetches: positions (the next offset to deliver per
 * partition) are kept here, and whenever a consumer crashes, or stalls while the topic has more
 * to give, it is replaced by a new one that seeks to them. Partitions without a position (all of
 * them with `earliest`, new ones with `latest`, and every partition of a topic that did not exist
 * when the tail started) are read from their beginning: whatever is there came after the start.
 */
export class KafkaTail implements TailSubscription {
  readonly ready: Promise<void>;
  private readonly positions = new Map<number, bigint>();
  private readonly tuning: KafkaTailTuning;
  /** Between consumers: pollMs after one that stalled, doubling with each failure in a row. */
  private readonly backoff: Backoff;
  private closed = false;
  private closing: Promise<void> | undefined;
  private consumer: Consumer | undefined;
  /** Wakes the supervisor early: on close, or when the current consumer must be replaced. */
  private wake: () => void = () => {};
  private settleReady!: (error?: unknown) => void;
  private delivered = 0;
  private busy = false;
  private supervising: Promise<void>;

  constructor(
    private readonly host: TailHost,
    private readonly topic: string,
    private readonly options: TailOptions,
    private readonly onMessage: MessageHandler,
    private readonly onClose: () => void,
    tuning: Partial<KafkaTailTuning> = {},
  ) {
    this.tuning = {...DEFAULT_TUNING, ...tuning};
    // Jittered: every tail of every TUI on a broker that restarts would otherwise retry at once.
    this.backoff = {initialMs: this.tuning.pollMs, maxMs: this.tuning.maxBackoffMs, jitter: 0.2};
    this.ready = new Promise<void>((resolve, reject) => {
      let settled = false;
      this.settleReady = (error) => {
        if (settled) return;
        settled = true;
        if (error === undefined) resolve();
        else reject(error);
      };
    });
    // Callers that never await `ready` must not crash the process with an unhandled rejection.
    this.ready.catch(() => {});
    this.supervising = this.supervise();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.onClose();
      this.settleReady();
      this.wake();
      await this.supervising;
    })();
    return this.closing;
  }

  /** Runs consumers until the tail is closed; the first failure is also reported to `ready`. */
  private async supervise(): Promise<void> {
    let failures = 0;
    let positioned = this.options.from === 'earliest';
    while (!this.closed) {
      let error: unknown;
      try {
        const admin = await this.host.connectedAdmin();
        const exists = (await admin.listTopics()).includes(this.topic);
        if (!positioned) {
          // `latest`: the ends as they are now. A topic that does not exist yet has no end:
          // everything it will hold is new, so it is read from the beginning once it appears.
          if (exists) {
            for (const {partition, high} of await admin.fetchTopicOffsets(this.topic)) {
              this.positions.set(partition, BigInt(high));
            }
          }
          positioned = true;
        }
        if (!exists) {
          this.settleReady();
          await this.idle(this.tuning.pollMs);
          continue;
        }
        error = await this.runConsumer();
        if (error === undefined) failures = 0;
      } catch (caught) {
        error = caught;
      }
      if (this.closed) break;
      if (error !== undefined) {
        const explained = this.host.explain(error, this.topic);
        this.settleReady(explained);
        // One line per outage, not one per attempt.
        if (failures === 0) {
          this.host.warn(`tail of ${this.topic} stopped (${explained.message}); retrying`);
        }
        failures += 1;
      }
      await this.idle(backoff(this.backoff, failures));
    }
  }

  /**
   * One consumer, from the positions. Resolves when it had to be given up: with the error that
   * stopped it, or undefined when it stalled (or the tail was closed).
   */
  private async runConsumer(): Promise<unknown> {
    const {topic} = this;
    const {kafka} = await this.host.connectClient();
    let stopped!: (error?: unknown) => void;
    const outcome = new Promise<unknown>((resolve) => (stopped = resolve));
    const consumer = kafka.consumer({
      groupId: `${this.host.clientId}-tail-${randomUUID()}`,
      maxWaitTimeInMs: this.tuning.fetchMaxWaitMs,
      // A fetch is decoded whole before it is handed out: small ones keep a catching-up tail's
      // memory flat, and cost little throughput (README, Figures).
      maxBytesPerPartition: 256 * 1024,
      maxBytes: 512 * 1024,
      // Restarts are the supervisor's: a fresh consumer also gets fresh connections.
      retry: {
        retries: 3,
        initialRetryTime: 250,
        maxRetryTime: 2_000,
        restartOnFailure: async () => false,
      },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [partition, offset] of this.positions) {
        consumer.seek({topic, partition, offset: offset.toString()});
      }
    });
    consumer.on(consumer.events.CRASH, ({payload}) => stopped(payload.error));
    this.wake = () => stopped(undefined);
    if (this.closed) stopped(undefined);
    const watchdog = this.watchStalls(stopped);
    try {
      await consumer.connect();
      await consumer.subscribe({topic, fromBeginning: true});
      await consumer.run({
        autoCommit: false,
        // Whole batches, handled synchronously unless the handler returns a promise: per-message
        // awaits and kafkajs' per-message bookkeeping cost more than the decoding.
        eachBatch: async ({batch, heartbeat, isRunning, isStale}) => {
          const {partition} = batch;
          // The position is only read between turns (watchdog, next consumer): it is stored
          // before each wait and at the end, not computed as a BigInt for every message.
          let last: string | undefined;
          const keep = () => {
            if (last !== undefined) this.positions.set(partition, BigInt(last) + 1n);
          };
          for (const message of batch.messages) {
            if (this.closed || !isRunning() || isStale()) break;
            last = message.offset;
            this.delivered += 1;
            const pending = this.deliver({
              topic,
              partition,
              offset: Number(message.offset),
              timestamp: Number(message.timestamp),
              key: message.key === null ? null : message.key.toString(),
              value: message.value,
              headers: headerText(message.headers),
            });
            if (pending) {
              keep();
              // A handler that waits (a slow reader downstream) is not a stall.
              this.busy = true;
              await pending;
              this.busy = false;
            }
          }
          keep();
          await heartbeat();
        },
      });
      // Joined, and the seeks are queued: what is published from now on is delivered.
      this.settleReady();
      return await outcome;
    } catch (error) {
      return error;
    } finally {
      clearInterval(watchdog);
      this.wake = () => {};
      // Bounded: after a broker outage kafkajs can take long to give a consumer up.
      await Promise.race([consumer.disconnect().catch(() => {}), pause(5_000, {ref: false})]);
    }
  }

  /** Gives the consumer up when it delivers nothing while the topic holds more than delivered. */
  private watchStalls(stopped: (error?: unknown) => void): NodeJS.Timeout {
    let seen = this.delivered;
    let idleSince = Date.now();
    const timer = setInterval(() => {
      void (async () => {
        if (this.delivered !== seen || this.busy) {
          seen = this.delivered;
          idleSince = Date.now();
          return;
        }
        if (Date.now() - idleSince < this.tuning.stallMs) return;
        const behind = await this.isBehind().catch(() => false);
        if (behind && this.delivered === seen && !this.busy) {
          this.host.warn(`tail of ${this.topic} received nothing for a while; reconnecting`);
          stopped(undefined);
        }
        idleSince = Date.now();
      })();
    }, this.tuning.stallMs / 3);
    timer.unref();
    return timer;
  }

  /** Whether some partition holds messages past this tail's position. */
  private async isBehind(): Promise<boolean> {
    const admin = await this.host.connectedAdmin();
    const offsets = await admin.fetchTopicOffsets(this.topic);
    return offsets.some(({partition, high, low}) => {
      const position = this.positions.get(partition) ?? BigInt(low);
      return BigInt(high) > position;
    });
  }

  /** Waits, or less if the tail is closed meanwhile. Unref'd: a wait never keeps the process up. */
  private async idle(ms: number): Promise<void> {
    if (this.closed) return;
    const woken = new AbortController();
    this.wake = () => woken.abort();
    await pause(ms, {signal: woken.signal, ref: false});
  }

  /** Calls the handler; a promise comes back only when the handler returned one. */
  private deliver(message: BusMessage): Promise<void> | undefined {
    const fail = (error: unknown) => {
      // Rethrowing would make kafkajs redeliver the same message forever.
      this.host.warn(
        `handler for ${message.topic} failed at offset ${message.offset}: ${(error as Error).message}`,
      );
    };
    try {
      const result = this.onMessage(message);
      return result instanceof Promise ? result.catch(fail) : undefined;
    } catch (error) {
      fail(error);
      return undefined;
    }
  }
}
