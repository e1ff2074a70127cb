import type {GroupPartitionOffsets} from '../ports/MessageBus.js';

/*
 * The serve group's lag over time: the total, its trend, how fast the group drains it (committed
 * offsets per second) and so how long it will take. Operators ask for lag in seconds and as a
 * trend, not only as a count.
 */

export interface LagSample {
  /** Date.now() of the reading. */
  time: number;
  partitions: GroupPartitionOffsets[];
  total: number;
  /** Sum of the committed offsets: its growth is the drain rate. */
  committed: number;
}

export interface LagFigures {
  total: number;
  /** Requests answered per second recently; null until two readings apart. */
  rate: number | null;
  /** lag / rate; 0 without lag; null when unknown or not draining. */
  seconds: number | null;
  /** Lag > 0 and nothing committed over the rate window. */
  notDraining: boolean;
  /** How long the lag has been growing without a fall, in ms (0 if it is not growing). */
  growingForMs: number;
  /** The totals, oldest first, for a sparkline. */
  trend: number[];
  partitions: GroupPartitionOffsets[];
}

export function lagSample(partitions: GroupPartitionOffsets[], time = Date.now()): LagSample {
  return {
    time,
    partitions,
    total: partitions.reduce((sum, p) => sum + p.lag, 0),
    committed: partitions.reduce((sum, p) => sum + (p.committed ?? 0), 0),
  };
}

export class LagTracker {
  private samples: LagSample[] = [];

  constructor(
    /** Readings kept for the trend and the growth check. */
    private readonly keepMs = 5 * 60_000,
    /** The window the drain rate is measured over. */
    private readonly rateWindowMs = 15_000,
  ) {}

  add(sample: LagSample): void {
    this.samples.push(sample);
    const oldest = sample.time - this.keepMs;
    while (this.samples.length > 2 && this.samples[0]!.time < oldest) this.samples.shift();
  }

  figures(fallbackRate: number | null = null): LagFigures | null {
    const last = this.samples.at(-1);
    if (!last) return null;
    const since = last.time - this.rateWindowMs;
    const first = this.samples.find((s) => s.time >= since && s !== last) ?? null;
    let rate = fallbackRate;
    if (first && last.time > first.time) {
      rate = Math.max(0, last.committed - first.committed) / ((last.time - first.time) / 1000);
    }
    const notDraining = last.total > 0 && rate === 0;
    return {
      total: last.total,
      rate,
      seconds: last.total === 0 ? 0 : rate && rate > 0 ? last.total / rate : null,
      notDraining,
      growingForMs: this.growingForMs(),
      trend: this.samples.map((s) => s.total),
      partitions: last.partitions,
    };
  }

  private growingForMs(): number {
    const {samples} = this;
    let start = samples.length - 1;
    while (start > 0 && samples[start - 1]!.total <= samples[start]!.total) start -= 1;
    // A flat stretch before the rise is not growth (lag idle at 0, then one request): from its end.
    while (start < samples.length - 1 && samples[start + 1]!.total === samples[start]!.total) {
      start += 1;
    }
    const last = samples.at(-1);
    if (!last || samples[start]!.total >= last.total) return 0;
    return last.time - samples[start]!.time;
  }
}
