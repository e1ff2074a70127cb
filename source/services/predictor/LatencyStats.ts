import type {RequestRecord} from '../ports/RequestStream.js';

/** Log-spaced buckets (2% wide) from 10 µs: percentiles within 2% without keeping every sample. */
class LatencyHistogram {
  private static readonly MIN_MS = 0.01;
  private static readonly FACTOR = Math.log(1.02);
  private counts = new Uint32Array(1200);
  count = 0;

  /** `times` samples of `ms`. */
  add(ms: number, times = 1): void {
    const index =
      ms <= LatencyHistogram.MIN_MS
        ? 0
        : Math.ceil(Math.log(ms / LatencyHistogram.MIN_MS) / LatencyHistogram.FACTOR);
    this.counts[Math.min(index, this.counts.length - 1)]! += times;
    this.count += times;
  }

  /** The bucket's upper bound holding the q-quantile; null without samples. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let index = 0; index < this.counts.length; index++) {
      seen += this.counts[index]!;
      if (seen >= rank) return LatencyHistogram.MIN_MS * Math.exp(index * LatencyHistogram.FACTOR);
    }
    return null;
  }
}

export interface ServiceStats {
  /** Length of the period in seconds. */
  seconds: number;
  /** Requests answered (predictions + dead letters) and committed in the period. */
  requests: number;
  rate: number;
  deadLetters: number;
  /** From the batch reaching the service to its commit, in ms; null without requests. */
  p50Ms: number | null;
  p99Ms: number | null;
  version: string | null;
  totalRequests: number;
  totalDeadLetters: number;
}

class Period {
  readonly started = performance.now();
  requests = 0;
  deadLetters = 0;
  readonly latency = new LatencyHistogram();
}

/**
 * serve's figures: requests, dead letters and latency percentiles for the period since a reader's
 * last take (the report and the heartbeat each have their own period), and for the whole run.
 */
export class LatencyStats<Reader extends string = 'report'> {
  private readonly windows = new Map<Reader, Period>();
  private readonly total = new Period();

  constructor(readers: Reader[] = ['report' as Reader]) {
    for (const reader of readers) this.windows.set(reader, new Period());
  }

  /** A batch committed: its requests' latency ends now. */
  add(batch: RequestRecord[], deadLetters: number): void {
    const now = performance.now();
    for (const period of [...this.windows.values(), this.total]) {
      period.requests += batch.length;
      period.deadLetters += deadLetters;
      // A batch usually arrived at once: one histogram update per run of equal arrival times.
      for (let start = 0; start < batch.length;) {
        const receivedAt = batch[start]!.receivedAt;
        let end = start + 1;
        while (end < batch.length && batch[end]!.receivedAt === receivedAt) end += 1;
        period.latency.add(now - receivedAt, end - start);
        start = end;
      }
    }
  }

  /** Figures since the reader's previous take (or, with `total`, since the start); starts its new period. */
  take(
    version: string | null,
    {total = false, reader}: {total?: boolean; reader?: Reader} = {},
  ): ServiceStats {
    const name = reader ?? (this.windows.keys().next().value as Reader);
    const period = total ? this.total : this.windows.get(name)!;
    if (!total) this.windows.set(name, new Period());
    const seconds = (performance.now() - period.started) / 1000;
    return {
      seconds,
      requests: period.requests,
      rate: seconds > 0 ? period.requests / seconds : 0,
      deadLetters: period.deadLetters,
      p50Ms: period.latency.quantile(0.5),
      p99Ms: period.latency.quantile(0.99),
      version,
      totalRequests: this.total.requests,
      totalDeadLetters: this.total.deadLetters,
    };
  }
}
