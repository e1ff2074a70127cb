import type {MessageBus} from '../ports/MessageBus.js';
import {DEFAULT_HEARTBEAT_INTERVAL_MS, newInstanceId, type Heartbeat} from './heartbeat.js';

/** What changes between heartbeats, read from the running service each time. */
export type HeartbeatFigures = Pick<
  Heartbeat,
  | 'partitions'
  | 'version'
  | 'loading'
  | 'rate'
  | 'p50_ms'
  | 'p99_ms'
  | 'dead_letters'
  | 'requests_total'
  | 'dead_letters_total'
  | 'challenger'
  | 'agreement'
  | 'drift'
>;

export interface HeartbeatPublisherOptions {
  bus: MessageBus;
  /** The status topic (topics.status). */
  topic: string;
  group: string;
  /** The requests topic. */
  requests: string;
  guarantee: Heartbeat['guarantee'];
  figures: () => HeartbeatFigures;
  intervalMs?: number;
  /** A heartbeat that could not be sent (said once until one is sent again). */
  onWarning?: (line: string) => void;
  id?: string;
}

/**
 * Publishes serve's heartbeats: one at start, one every interval, and a final "stopped" one. A
 * heartbeat that cannot be sent is skipped (the next one replaces it): the service keeps serving.
 */
export class HeartbeatPublisher {
  readonly id: string;
  readonly intervalMs: number;
  private readonly startedAt = new Date().toISOString();
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: HeartbeatPublisherOptions) {
    this.id = options.id ?? newInstanceId();
    this.intervalMs = options.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  }

  start(): void {
    if (this.timer) return;
    void this.send('running');
    this.timer = setInterval(() => void this.send('running'), this.intervalMs);
    this.timer.unref();
  }

  /** The final record; resolves once it is sent (or failed). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.send('stopped');
  }

  /** The record this instance would send now. */
  heartbeat(state: Heartbeat['state']): Heartbeat {
    const {group, requests, guarantee} = this.options;
    const [host] = this.id.split(':');
    return {
      id: this.id,
      host: host ?? '',
      pid: process.pid,
      group,
      state,
      topic: requests,
      ...this.options.figures(),
      ...(state === 'stopped' ? {partitions: []} : {}),
      guarantee,
      interval_ms: this.intervalMs,
      started_at: this.startedAt,
      sent_at: new Date().toISOString(),
    };
  }

  private send(state: Heartbeat['state']): Promise<unknown> {
    // One at a time, in order: a slow broker must not let an older heartbeat land last.
    this.last = this.last.then(async () => {
      try {
        await this.options.bus.publish(this.options.topic, {
          key: this.id,
          value: this.heartbeat(state),
        });
        if (this.failing) this.options.onWarning?.(`heartbeats on ${this.options.topic} resumed`);
        this.failing = false;
      } catch (error) {
        if (!this.failing) {
          this.options.onWarning?.(
            `could not publish a heartbeat on ${this.options.topic} (${(error as Error).message}); serving goes on`,
          );
        }
        this.failing = true;
      }
    });
    return this.last;
  }
}
