import type {MessageBus, TailSubscription} from '../ports/MessageBus.js';
import {HeartbeatTable, liveInstances, type InstanceStatus} from './fleetStatus.js';
import {lagSample, LagTracker, type LagFigures} from './LagTracker.js';

export interface FleetMonitorOptions {
  bus: MessageBus;
  topics: {status: string; requests: string; deadLetters: string};
  group: string;
  /** How often lag and the dead-letter count are read. */
  pollMs?: number;
  /** Readings kept for the sparklines. */
  historyLength?: number;
}

export interface FleetSnapshot {
  group: string;
  instances: InstanceStatus[];
  lag: LagFigures | null;
  /** Why the last lag reading failed (the broker is down, ...); null once one succeeds. */
  lagError: string | null;
  deadLetters: number | null;
  /** Predictions/s and dead letters/s summed over the live instances, one per poll, oldest first. */
  predictionRates: number[];
  deadLetterRates: number[];
  /** Status records that were not heartbeats. */
  rejected: number;
  lastRejection: string | null;
}

/**
 * The live view of one serve group for the Pipeline screen: follows the status topic and reads the
 * group's lag and the dead-letter count every poll. Listeners hear of each change; they throttle.
 */
export class FleetMonitor {
  private readonly table = new HeartbeatTable();
  private readonly lag = new LagTracker();
  private readonly listeners = new Set<() => void>();
  private subscription: TailSubscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lagError: string | null = null;
  private deadLetters: number | null = null;
  private predictionRates: number[] = [];
  private deadLetterRates: number[] = [];
  private closed = false;

  constructor(private readonly options: FleetMonitorOptions) {}

  start(): void {
    const {bus, topics} = this.options;
    this.subscription = bus.tail(topics.status, {from: 'earliest'}, (message) => {
      this.table.add(message);
      this.changed();
    });
    this.subscription.ready.catch(() => {
      // The tail retries in its adapter; the connection status line says what is wrong.
    });
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.pollMs ?? 2_000);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(now = Date.now()): FleetSnapshot {
    const instances = this.table.instances(this.options.group, now);
    const live = liveInstances(instances);
    return {
      group: this.options.group,
      instances,
      lag: this.lag.figures(live.reduce((sum, i) => sum + i.rate, 0)),
      lagError: this.lagError,
      deadLetters: this.deadLetters,
      predictionRates: this.predictionRates,
      deadLetterRates: this.deadLetterRates,
      rejected: this.table.rejected,
      lastRejection: this.table.lastRejection,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.listeners.clear();
    await this.subscription?.close();
  }

  private async poll(): Promise<void> {
    const {bus, topics, group} = this.options;
    try {
      const [offsets, [dlq]] = await Promise.all([
        bus.groupOffsets(group, topics.requests),
        bus.listTopics([topics.deadLetters]),
      ]);
      if (this.closed) return;
      this.lag.add(lagSample(offsets));
      this.deadLetters = dlq ? dlq.partitions.reduce((sum, p) => sum + p.high - p.low, 0) : 0;
      this.lagError = null;
    } catch (error) {
      if (this.closed) return;
      this.lagError = (error as Error).message;
    }
    const live = liveInstances(this.table.instances(group));
    const keep = this.options.historyLength ?? 60;
    const rate = live.reduce((sum, i) => sum + i.rate, 0);
    // Dead letters per second over each instance's last window, from its heartbeat.
    const dead = live.reduce((sum, i) => sum + i.dead_letters / (this.intervalOf(i) / 1000), 0);
    this.predictionRates = [...this.predictionRates, Math.max(0, rate - dead)].slice(-keep);
    this.deadLetterRates = [...this.deadLetterRates, dead].slice(-keep);
    this.changed();
  }

  private intervalOf(instance: InstanceStatus): number {
    return instance.interval_ms > 0 ? instance.interval_ms : 5_000;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
