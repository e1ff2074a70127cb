import {collectDefaultMetrics, Counter, Gauge, Histogram, Registry} from 'prom-client';
import type {GroupPartitionOffsets} from '../ports/MessageBus.js';
import type {RequestRecord} from '../ports/RequestStream.js';
import type {DriftFigures, FieldDrift} from '../predictor/InputDrift.js';
import type {ServedBatch, ServedBatchObserver} from '../predictor/PredictorService.js';

/**
 * What `wine-tui serve` exposes on /metrics (MetricsServer), in the Prometheus text format through
 * prom-client. Everything lives in a private Registry: two instances in one process (tests) never
 * share or clash, and nothing else that uses prom-client's global registry leaks in.
 *
 * Counters count committed batches only: a batch whose transaction aborts is processed again, and
 * counting it then too would count its requests twice.
 */

export const METRIC_PREFIX = 'wine_tui_serve_';

/** From a millisecond to half a minute: answers take milliseconds, a stalled commit seconds. */
export const LATENCY_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/**
 * Reason classes are a small fixed set today; the cap keeps a future bug (a reason text used as a
 * class) from growing a series per request and the scrape without bound.
 */
export const MAX_REASON_CLASSES = 50;
export const OTHER_REASON_CLASS = 'other';

export interface ServeMetricsOptions {
  group: string;
  requestsTopic: string;
  /** prom-client's process and Node.js metrics (CPU, memory, event loop, GC); default true. */
  processMetrics?: boolean;
}

export class ServeMetrics implements ServedBatchObserver {
  readonly registry = new Registry();
  private readonly group: string;
  private readonly requestsTopic: string;
  private readonly requests: Counter;
  private readonly deadLetters: Counter<'reason_class'>;
  private readonly latency: Histogram;
  private readonly transactionsCommitted: Counter;
  private readonly transactionsAborted: Counter;
  private readonly modelInfo: Gauge<'group' | 'version'>;
  private readonly lag: Gauge<'group' | 'topic' | 'partition'>;
  private readonly reasonClasses = new Set<string>();
  private serving: string | null = null;
  private drift: () => DriftFigures | null = () => null;

  constructor(options: ServeMetricsOptions) {
    this.group = options.group;
    this.requestsTopic = options.requestsTopic;
    // The group is a label of the info and lag gauges only (join on them for the rest): labels
    // beside `le` on the histogram would trip simple parsers of the text format.
    const registers = [this.registry];
    this.requests = new Counter({
      name: `${METRIC_PREFIX}requests_total`,
      help: 'Requests answered and committed (predictions plus dead letters).',
      registers,
    });
    this.deadLetters = new Counter({
      name: `${METRIC_PREFIX}dead_letters_total`,
      help: 'Requests sent to the dead-letter topic and committed, by reason class.',
      labelNames: ['reason_class'],
      registers,
    });
    this.latency = new Histogram({
      name: `${METRIC_PREFIX}request_latency_seconds`,
      help: 'From a request reaching the service to the commit of its answer.',
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.transactionsCommitted = new Counter({
      name: `${METRIC_PREFIX}transactions_committed_total`,
      help: 'Batches committed (one Kafka transaction each with exactly-once).',
      registers,
    });
    this.transactionsAborted = new Counter({
      name: `${METRIC_PREFIX}transactions_aborted_total`,
      help: 'Batches not committed (transaction aborted); their requests are answered again.',
      registers,
    });
    this.modelInfo = new Gauge({
      name: `${METRIC_PREFIX}model_info`,
      help: 'The model version serving: 1 on its series; no series before the first model.',
      labelNames: ['group', 'version'],
      registers,
    });
    this.lag = new Gauge({
      name: `${METRIC_PREFIX}lag_messages`,
      help: "Requests not yet answered by the group, per partition of the requests topic (end offset minus the group's committed offset).",
      labelNames: ['group', 'topic', 'partition'],
      registers,
    });
    // Computed at scrape time from the service's window, one series per field.
    const driftGauge = (name: string, help: string, pick: (d: FieldDrift) => number | null) => {
      const drift = () => this.drift();
      return new Gauge({
        name: `${METRIC_PREFIX}${name}`,
        help,
        labelNames: ['field'],
        registers,
        collect: function (this: Gauge<'field'>) {
          this.reset();
          for (const [field, figures] of Object.entries(drift() ?? {})) {
            const value = figures ? pick(figures) : null;
            if (value !== null) this.set({field}, value);
          }
        },
      });
    };
    driftGauge(
      'input_drift_psi',
      "Population stability index of each input field over the recent requests, against the serving model's training rows (above 0.2: shifted).",
      (d) => d.psi,
    );
    driftGauge(
      'unknown_category_rate',
      'Share of the recent requests with a category the serving model never saw in training, per field.',
      (d) => d.unknown_rate,
    );
    if (options.processMetrics ?? true) collectDefaultMetrics({register: this.registry});
  }

  /** The Content-Type of exposition(). */
  get contentType(): string {
    return this.registry.contentType;
  }

  committed(batch: RequestRecord[], output: ServedBatch): void {
    this.transactionsCommitted.inc();
    if (batch.length === 0) return;
    this.requests.inc(batch.length);
    const byClass = new Map<string, number>();
    for (const reasonClass of output.reasonClasses) {
      const label = this.reasonLabel(reasonClass);
      byClass.set(label, (byClass.get(label) ?? 0) + 1);
    }
    for (const [label, count] of byClass) this.deadLetters.inc({reason_class: label}, count);
    const now = performance.now();
    for (const record of batch) {
      // A clock never runs backwards here, but a record built by hand could claim the future.
      this.latency.observe(Math.max(0, now - record.receivedAt) / 1000);
    }
  }

  failed(_batch: RequestRecord[]): void {
    this.transactionsAborted.inc();
  }

  setServing(version: string | null): void {
    if (version === this.serving) return;
    this.serving = version;
    // One series at a time: the old version's must go, or both would read 1.
    this.modelInfo.reset();
    if (version !== null) this.modelInfo.set({group: this.group, version}, 1);
  }

  /** Where the drift gauges read their figures at each scrape. */
  setDriftSource(source: () => DriftFigures | null): void {
    this.drift = source;
  }

  /** Replaces every partition's lag: partitions gone (topic re-created smaller) leave no stale series. */
  setLag(partitions: GroupPartitionOffsets[]): void {
    this.lag.reset();
    for (const {partition, lag} of partitions) {
      const labels = {group: this.group, topic: this.requestsTopic, partition: String(partition)};
      this.lag.set(labels, lag);
    }
  }

  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  private reasonLabel(reasonClass: string): string {
    if (this.reasonClasses.has(reasonClass)) return reasonClass;
    if (this.reasonClasses.size >= MAX_REASON_CLASSES) return OTHER_REASON_CLASS;
    this.reasonClasses.add(reasonClass);
    return reasonClass;
  }
}
