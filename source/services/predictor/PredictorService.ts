import {createHash} from 'node:crypto';
import {setTimeout as sleep} from 'node:timers/promises';
import {parseArtifact} from '../../ml/artifact.js';
import {parseWineInput, type WineInput} from '../../ml/input.js';
import {createPredictor} from '../../ml/model.js';
import {InvalidInputError, UserFacingError} from '../errors.js';
import type {MessageBus, TailSubscription} from '../ports/MessageBus.js';
import type {Announcement, AnnouncementRecord, ModelRegistry} from '../registry/ModelRegistry.js';
import {asUserError, predictionMessage, type LoadedModel} from '../app/modelWorkflow.js';
import type {
  BatchHandler,
  BatchOutput,
  OutputMessage,
  RequestRecord,
} from '../ports/RequestStream.js';

/**
 * The predictor behind `wine-tui serve`, transport-agnostic: a model holder that follows the
 * announcements and loads new versions in the background, and a batch handler that turns requests
 * into predictions or dead letters. Kafka or the embedded bus are the RequestStream's business.
 *
 * Request (value, JSON): {"request_id": "r-1", "input": {wine fields}}, or the wine fields at the
 * top level beside request_id. Prediction (key request_id): {request_id, input, price, version,
 * unknown, time, latency_ms}. Dead letter (key: the request's key): the JSON envelope below, with
 * the reason also in headers.
 */

/** Requests above this are dead-lettered unparsed: a wine is a few hundred bytes. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** The dead letter keeps at most this much of the original value (base64), so it always fits. */
export const DEAD_LETTER_COPY_BYTES = 64 * 1024;
export const MAX_REQUEST_ID_LENGTH = 200;
const MAX_KEY_LENGTH = 1024;
const MAX_REASON_HEADER = 500;

export const DEAD_LETTER_HEADERS = {
  reason: 'wine-tui-reason',
  topic: 'wine-tui-topic',
  partition: 'wine-tui-partition',
  offset: 'wine-tui-offset',
} as const;

export interface PredictionOutput {
  request_id: string;
  input: WineInput;
  price: number;
  version: string;
  unknown: ReturnType<LoadedModel['predict']>['unknown'];
  time: string;
  /** From the batch reaching the service to this prediction being made, in ms. */
  latency_ms: number;
}

export interface DeadLetter {
  reason: string;
  /** When the request got far enough to name one. */
  request_id: string | null;
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  /** Of the original value; null when the value was null. */
  size: number | null;
  sha256: string | null;
  /** The original bytes, or their first DEAD_LETTER_COPY_BYTES when `truncated`. */
  value_base64: string | null;
  truncated: boolean;
  time: string;
}

type ParsedRequest =
  | {ok: true; requestId: string; input: WineInput}
  | {ok: false; reason: string; requestId: string | null};

const utf8 = new TextDecoder('utf-8', {fatal: true});

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 3)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates one request; every problem becomes one reason line. */
export function parseRequest(value: Buffer | null): ParsedRequest {
  const fail = (reason: string, requestId: string | null = null): ParsedRequest => ({
    ok: false,
    reason,
    requestId,
  });
  if (value === null) return fail('the request has no value (null)');
  if (value.length === 0) return fail('the request is empty');
  if (value.length > MAX_REQUEST_BYTES) {
    return fail(
      `the request is ${value.length} bytes; at most ${MAX_REQUEST_BYTES} are accepted (a wine is a few hundred)`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return fail('the request is not UTF-8 text');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`the request is not JSON (${clip((error as Error).message, 120)})`);
  }
  if (!isPlainObject(json)) {
    return fail('the request must be a JSON object {"request_id": "...", "input": {...}}');
  }
  const {request_id: id, ...rest} = json;
  if (id === undefined || id === null || (typeof id === 'string' && id.trim() === '')) {
    return fail('request_id is required');
  }
  if (typeof id !== 'string') {
    return fail(`request_id must be text (got ${clip(JSON.stringify(id) ?? typeof id, 40)})`);
  }
  if (id.length > MAX_REQUEST_ID_LENGTH) {
    return fail(`request_id must be at most ${MAX_REQUEST_ID_LENGTH} characters`);
  }
  const raw = 'input' in rest ? rest.input : rest;
  const parsed = parseWineInput(raw);
  if (!parsed.ok) return fail(parsed.errors.map((e) => e.message).join('; '), id);
  return {ok: true, requestId: id, input: parsed.value};
}

/** The dead letter for a request: the envelope as value, the reason and origin also as headers. */
export function deadLetterMessage(
  record: RequestRecord,
  reason: string,
  requestId: string | null,
  topic: string,
): OutputMessage {
  const value = record.value;
  const kept =
    value && value.length > DEAD_LETTER_COPY_BYTES
      ? value.subarray(0, DEAD_LETTER_COPY_BYTES)
      : value;
  const letter: DeadLetter = {
    reason,
    request_id: requestId,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key !== null && record.key.length <= MAX_KEY_LENGTH ? record.key : null,
    size: value ? value.length : null,
    sha256: value ? createHash('sha256').update(value).digest('hex') : null,
    value_base64: kept ? kept.toString('base64') : null,
    truncated: kept !== value,
    time: new Date().toISOString(),
  };
  return {
    topic,
    key: letter.key,
    value: Buffer.from(JSON.stringify(letter)),
    headers: {
      // Header values are UTF-8 like the rest; the reason is short by construction.
      [DEAD_LETTER_HEADERS.reason]: clip(reason, MAX_REASON_HEADER),
      [DEAD_LETTER_HEADERS.topic]: record.topic,
      [DEAD_LETTER_HEADERS.partition]: String(record.partition),
      [DEAD_LETTER_HEADERS.offset]: String(record.offset),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Model versions

/** Where versions come from; registryModelSource() in production, an in-memory one in tests. */
export interface ModelSource {
  /** The newest announcement on the topic now, if any. */
  active(): Promise<AnnouncementRecord | undefined>;
  /** Every announcement from the earliest on, then each new one as it arrives. */
  follow(onAnnouncement: (announcement: AnnouncementRecord) => void): TailSubscription;
  /** Fetches, checks and compiles a version; rejects if it cannot be fetched or is invalid. */
  load(announcement: Announcement): Promise<LoadedModel>;
}

export function registryModelSource(registry: ModelRegistry, bus: MessageBus): ModelSource {
  return {
    active: () => registry.active(),
    follow: (onAnnouncement) =>
      bus.tail(registry.topic, {from: 'earliest'}, (m) => {
        const where = `${m.topic}/${m.partition}@${m.offset}`;
        const a = registry.parseAnnouncement(m.value, where);
        if (a)
          onAnnouncement({...a, partition: m.partition, offset: m.offset, timestamp: m.timestamp});
      }),
    load: async (announcement) => {
      const bytes = await registry.fetch(announcement.version, announcement.sha256);
      const artifact = await asUserError(() => parseArtifact(bytes));
      if (artifact.id !== announcement.version) {
        throw new InvalidInputError(
          `artifact ${announcement.key} holds version ${artifact.id}, not the announced ${announcement.version}`,
        );
      }
      const predictor = createPredictor(artifact);
      return {version: artifact.id, artifact, predict: (input) => predictor.predict(input)};
    },
  };
}

export type ModelEvent =
  /** Nothing announced yet: requests wait. */
  | {type: 'waiting'}
  /** A new version is loaded and checked; it takes over at the start of the next batch. */
  | {type: 'loaded'; version: string}
  /** A version is now answering requests (`previous` is the one it replaced). */
  | {type: 'serving'; version: string; previous: string | null}
  /** Loading a version failed (said once per version); the old one, if any, keeps serving. */
  | {
      type: 'load-failed';
      version: string;
      reason: string;
      retryInMs: number;
      serving: string | null;
    };

export interface ModelHolderOptions {
  source: ModelSource;
  onEvent?: (event: ModelEvent) => void;
  /** Retry delays after a failed load: doubling from initialMs up to maxMs. */
  backoff?: {initialMs: number; maxMs: number};
}

interface Held {
  model: LoadedModel;
  announcement: AnnouncementRecord;
}

const sameArtifact = (a: Announcement, b: Announcement) =>
  a.version === b.version && a.sha256 === b.sha256;

/** Later on the same partition, or stamped later on another one. */
function isNewer(a: AnnouncementRecord, than: AnnouncementRecord | undefined): boolean {
  if (!than) return true;
  return a.partition === than.partition ? a.offset > than.offset : a.timestamp > than.timestamp;
}

/**
 * Holds the model that answers requests. New announcements are loaded in the background and only
 * swapped in by swap(), which the service calls between batches: no request waits for a download
 * and none is answered by a half-loaded model. A failed load keeps the old model and is retried
 * with back-off until it works or a newer announcement replaces it.
 */
export class ModelHolder {
  private current: Held | undefined;
  private ready: Held | undefined;
  private wanted: AnnouncementRecord | undefined;
  private loading = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private reported = new Set<AnnouncementRecord>();
  private subscription: TailSubscription | undefined;
  private closed = false;
  private readonly firstWaiters: Array<(model: LoadedModel) => void> = [];
  private readonly source: ModelSource;
  private readonly onEvent: (event: ModelEvent) => void;
  private readonly backoff: {initialMs: number; maxMs: number};

  constructor(options: ModelHolderOptions) {
    this.source = options.source;
    this.onEvent = options.onEvent ?? (() => {});
    this.backoff = options.backoff ?? {initialMs: 1_000, maxMs: 15_000};
  }

  /** Reads the active version (loading starts) and follows the topic; does not wait for the load. */
  async start(): Promise<void> {
    const active = await this.activeAnnouncement();
    if (active) this.offer(active);
    else this.onEvent({type: 'waiting'});
    this.subscription = this.source.follow((announcement) => this.offer(announcement));
    await this.subscription.ready;
  }

  /**
   * Reading the topic lists the cluster's topics; one deleted meanwhile (by anyone) fails the read
   * once. Such errors are retried a few times; a broker that cannot be reached (a UserFacingError,
   * after the adapter's own retries) is not.
   */
  private async activeAnnouncement(): Promise<AnnouncementRecord | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.source.active();
      } catch (error) {
        if (error instanceof UserFacingError || attempt >= 3) throw error;
        await sleep(500 * 2 ** attempt);
      }
    }
  }

  /** The version answering requests, if any. */
  get version(): string | null {
    return this.current?.model.version ?? null;
  }

  /** Resolves once a model is serving (at once if one is). */
  firstModel(): Promise<LoadedModel> {
    if (this.current) return Promise.resolve(this.current.model);
    return new Promise((resolve) => this.firstWaiters.push(resolve));
  }

  /** Between batches: puts a freshly loaded version in service; returns the model to use. */
  swap(): LoadedModel | undefined {
    if (this.ready) {
      const previous = this.current?.model.version ?? null;
      this.current = this.ready;
      this.ready = undefined;
      this.onEvent({type: 'serving', version: this.current.model.version, previous});
    }
    return this.current?.model;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.subscription?.close();
  }

  private offer(announcement: AnnouncementRecord): void {
    if (this.closed || !isNewer(announcement, this.wanted)) return;
    this.wanted = announcement;
    this.attempts = 0;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.kick();
  }

  private kick(): void {
    const target = this.wanted;
    if (this.closed || this.loading || this.retryTimer || !target) return;
    if (this.current && sameArtifact(this.current.announcement, target)) {
      // Announced again (e.g. a rollback to what is serving): nothing to load, drop any other.
      this.ready = undefined;
      return;
    }
    if (this.ready && sameArtifact(this.ready.announcement, target)) return;
    this.loading = true;
    this.source
      .load(target)
      .then(
        (model) => {
          this.attempts = 0;
          // Superseded while it loaded: the newer one is loaded next (finally), this one never serves.
          if (this.wanted !== target) return;
          const held = {model, announcement: target};
          if (this.current) {
            this.ready = held;
            this.onEvent({type: 'loaded', version: model.version});
            return;
          }
          // Nothing serves yet, so no batch can be running: put it in service at once.
          this.current = held;
          this.onEvent({type: 'serving', version: model.version, previous: null});
          for (const resolve of this.firstWaiters.splice(0)) resolve(model);
        },
        (error: unknown) => {
          const delay = Math.min(
            this.backoff.maxMs,
            this.backoff.initialMs * 2 ** Math.min(this.attempts, 30),
          );
          this.attempts += 1;
          if (!this.reported.has(target)) {
            this.reported.add(target);
            this.onEvent({
              type: 'load-failed',
              version: target.version,
              reason: error instanceof Error ? error.message : String(error),
              retryInMs: delay,
              serving: this.version,
            });
          }
          if (this.wanted === target && !this.closed) {
            this.retryTimer = setTimeout(() => {
              this.retryTimer = undefined;
              this.kick();
            }, delay);
          }
        },
      )
      .finally(() => {
        this.loading = false;
        // A newer announcement arrived while this one loaded (or failed): go for it now.
        if (this.wanted !== target) this.kick();
      });
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics

/** Log-spaced buckets (2% wide) from 10 µs: percentiles within 2% without keeping every sample. */
class LatencyHistogram {
  private static readonly MIN_MS = 0.01;
  private static readonly FACTOR = Math.log(1.02);
  private counts = new Uint32Array(1200);
  count = 0;

  add(ms: number): void {
    const index =
      ms <= LatencyHistogram.MIN_MS
        ? 0
        : Math.ceil(Math.log(ms / LatencyHistogram.MIN_MS) / LatencyHistogram.FACTOR);
    this.counts[Math.min(index, this.counts.length - 1)]! += 1;
    this.count += 1;
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

// ---------------------------------------------------------------------------------------------
// The service

export interface ServedBatch extends BatchOutput {
  deadLetters: number;
}

export interface PredictorServiceOptions {
  models: Pick<ModelHolder, 'swap' | 'version'>;
  topics: {predictions: string; deadLetters: string};
}

export class PredictorService implements BatchHandler<ServedBatch> {
  private window = new Period();
  private readonly total = new Period();
  private readonly models: PredictorServiceOptions['models'];
  private readonly topics: PredictorServiceOptions['topics'];

  constructor(options: PredictorServiceOptions) {
    this.models = options.models;
    this.topics = options.topics;
  }

  process(batch: RequestRecord[]): ServedBatch {
    // The one place a new version takes over: before a batch, never inside one.
    const model = this.models.swap();
    if (!model) throw new Error('no model is loaded yet');
    const messages: OutputMessage[] = [];
    let deadLetters = 0;
    const dead = (record: RequestRecord, reason: string, requestId: string | null) => {
      deadLetters += 1;
      messages.push(deadLetterMessage(record, reason, requestId, this.topics.deadLetters));
    };
    for (const record of batch) {
      const request = parseRequest(record.value);
      if (!request.ok) {
        dead(record, request.reason, request.requestId);
        continue;
      }
      let prediction: PredictionOutput;
      try {
        prediction = {
          ...predictionMessage(model, request.input, request.requestId),
          latency_ms: Math.round((performance.now() - record.receivedAt) * 1000) / 1000,
        };
      } catch (error) {
        dead(
          record,
          `the model failed on this request: ${(error as Error).message}`,
          request.requestId,
        );
        continue;
      }
      if (!Number.isFinite(prediction.price)) {
        dead(
          record,
          `model ${model.version} gave no finite price for this wine`,
          request.requestId,
        );
        continue;
      }
      messages.push({
        topic: this.topics.predictions,
        key: request.requestId,
        value: Buffer.from(JSON.stringify(prediction)),
      });
    }
    return {messages, deadLetters};
  }

  committed(batch: RequestRecord[], output: ServedBatch): void {
    const now = performance.now();
    for (const period of [this.window, this.total]) {
      period.requests += batch.length;
      period.deadLetters += output.deadLetters;
      for (const record of batch) period.latency.add(now - record.receivedAt);
    }
  }

  /** Figures since the previous call (or, with `total`, since the start); starts a new period. */
  stats({total = false}: {total?: boolean} = {}): ServiceStats {
    const period = total ? this.total : this.window;
    if (!total) this.window = new Period();
    const seconds = (performance.now() - period.started) / 1000;
    return {
      seconds,
      requests: period.requests,
      rate: seconds > 0 ? period.requests / seconds : 0,
      deadLetters: period.deadLetters,
      p50Ms: period.latency.quantile(0.5),
      p99Ms: period.latency.quantile(0.99),
      version: this.models.version,
      totalRequests: this.total.requests,
      totalDeadLetters: this.total.deadLetters,
    };
  }
}
