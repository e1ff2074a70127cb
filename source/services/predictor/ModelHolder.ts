import {UserFacingError} from '../errors.js';
import type {MessageBus, TailSubscription} from '../ports/MessageBus.js';
import type {Announcement, AnnouncementRecord, ModelRegistry} from '../registry/ModelRegistry.js';
import {aliasOf, currentAliases, isClear, type AliasName} from '../registry/aliases.js';
import {loadVersion, type LoadedModel} from '../app/modelWorkflow.js';
import {backoff, retry, type Backoff} from '../retry.js';
import {RefusedVersionError} from '../signing/signatures.js';

/*
 * The model that answers serve's requests (the champion), or the one scored beside it (the
 * challenger): the newest announcement of its alias on the train topic, loaded in the background
 * and put in service between batches.
 */

/** Where versions come from; registryModelSource() in production, an in-memory one in tests. */
export interface ModelSource {
  /** The alias's holder on the topic now, if any. */
  active(): Promise<AnnouncementRecord | undefined>;
  /**
   * Every announcement of the alias from the earliest on, then each new one as it arrives; a
   * record that clears the alias too (never for the champion, which cannot be cleared).
   */
  follow(onAnnouncement: (announcement: AnnouncementRecord) => void): TailSubscription;
  /** Fetches, checks and compiles a version; rejects if it cannot be fetched or is invalid. */
  load(announcement: Announcement): Promise<LoadedModel>;
}

export function registryModelSource(
  registry: ModelRegistry,
  bus: MessageBus,
  alias: AliasName = 'champion',
): ModelSource {
  return {
    active: async () => currentAliases(await registry.history()).get(alias),
    follow: (onAnnouncement) =>
      bus.tail(registry.topic, {from: 'earliest'}, (m) => {
        const where = `${m.topic}/${m.partition}@${m.offset}`;
        const a = registry.parseAnnouncement(m.value, where);
        if (!a || aliasOf(a) !== alias || (alias === 'champion' && isClear(a))) return;
        onAnnouncement({...a, partition: m.partition, offset: m.offset, timestamp: m.timestamp});
      }),
    load: (announcement) => loadVersion(registry, announcement),
  };
}

export type ModelEvent =
  /** Nothing announced yet: requests wait. */
  | {type: 'waiting'}
  /** A new version is loaded and checked; it takes over at the start of the next batch. */
  | {type: 'loaded'; version: string}
  /** A version is now answering requests (`previous` is the one it replaced). */
  | {type: 'serving'; version: string; previous: string | null}
  /** The alias was cleared: `version` stops being scored at the start of the next batch. */
  | {type: 'cleared'; version: string}
  /**
   * Loading a version failed (said once per version); the old one, if any, keeps serving.
   * `refused`: its signature is not trusted; that does not change with time, so it is not retried
   * (retryInMs null) until the version is announced again.
   */
  | {
      type: 'load-failed';
      version: string;
      reason: string;
      retryInMs: number | null;
      refused: boolean;
      serving: string | null;
    };

export interface ModelHolderOptions {
  source: ModelSource;
  onEvent?: (event: ModelEvent) => void;
  /** Waits between attempts to load a version that failed; LOAD_BACKOFF by default. */
  backoff?: Backoff;
}

/** Jittered: the instances of serve all fail on the same announcement when the store is away. */
const LOAD_BACKOFF: Backoff = {initialMs: 1_000, maxMs: 15_000, jitter: 0.2};
/** Reading the active announcement again after the topic changed under the listing. */
const ACTIVE_RETRY = {retries: 3, initialMs: 500, maxMs: 4_000, jitter: 0.2};

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
  private failure: string | null = null;
  private reported = new Set<AnnouncementRecord>();
  private subscription: TailSubscription | undefined;
  private closed = false;
  private readonly firstWaiters: Array<(model: LoadedModel) => void> = [];
  private attempted!: () => void;
  private readonly firstAttempt = new Promise<void>((resolve) => (this.attempted = resolve));
  private readonly source: ModelSource;
  private readonly onEvent: (event: ModelEvent) => void;
  private readonly backoff: Backoff;

  constructor(options: ModelHolderOptions) {
    this.source = options.source;
    this.onEvent = options.onEvent ?? (() => {});
    this.backoff = options.backoff ?? LOAD_BACKOFF;
  }

  /** Reads the active version (loading starts) and follows the topic; does not wait for the load. */
  async start(): Promise<void> {
    const active = await this.activeAnnouncement();
    if (active && !isClear(active)) this.offer(active);
    else {
      this.attempted();
      this.onEvent({type: 'waiting'});
    }
    this.subscription = this.source.follow((announcement) => this.offer(announcement));
    await this.subscription.ready;
  }

  /**
   * Reading the topic lists the cluster's topics; one deleted meanwhile (by anyone) fails the read
   * once. Such errors are retried a few times; a broker that cannot be reached (a UserFacingError,
   * after the adapter's own retries) is not.
   */
  private activeAnnouncement(): Promise<AnnouncementRecord | undefined> {
    return retry(() => this.source.active(), {
      ...ACTIVE_RETRY,
      shouldRetry: (error) => !(error instanceof UserFacingError),
    });
  }

  /** The version answering requests, if any. */
  get version(): string | null {
    return this.current?.model.version ?? null;
  }

  /** The announced version that is loading (or loaded, or failing to load) to take over; null if none. */
  get pending(): string | null {
    const target = this.wanted;
    if (
      !target ||
      isClear(target) ||
      (this.current && sameArtifact(this.current.announcement, target))
    )
      return null;
    return target.version;
  }

  /** Why the wanted version could not be loaded (so far); null once it loads or is replaced. */
  get loadError(): string | null {
    return this.failure;
  }

  /**
   * Resolves once the version held at start has loaded or failed to load once (at once if there
   * was none): serve waits for it so that a challenger set before it started scores every request.
   */
  settled(): Promise<void> {
    return this.firstAttempt;
  }

  /** Resolves once a model is serving (at once if one is). */
  firstModel(): Promise<LoadedModel> {
    if (this.current) return Promise.resolve(this.current.model);
    return new Promise((resolve) => this.firstWaiters.push(resolve));
  }

  /** Between batches: puts a freshly loaded version in service; returns the model to use. */
  swap(): LoadedModel | undefined {
    if (this.wanted && isClear(this.wanted) && this.current) {
      const {version} = this.current.model;
      this.current = undefined;
      this.onEvent({type: 'cleared', version});
    }
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
    this.failure = null;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    // Cleared: nothing to load; what serves stops at the next swap().
    if (isClear(announcement)) this.ready = undefined;
    this.kick();
  }

  private kick(): void {
    const target = this.wanted;
    if (this.closed || this.loading || this.retryTimer || !target || isClear(target)) return;
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
          if (this.wanted === target) this.failure = null;
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
          const refused = error instanceof RefusedVersionError;
          if (this.wanted === target) {
            this.failure = error instanceof Error ? error.message : String(error);
          }
          const delay = backoff(this.backoff, this.attempts);
          this.attempts += 1;
          if (!this.reported.has(target)) {
            this.reported.add(target);
            this.onEvent({
              type: 'load-failed',
              version: target.version,
              reason: error instanceof Error ? error.message : String(error),
              retryInMs: refused ? null : delay,
              refused,
              serving: this.version,
            });
          }
          // A refused version stays wanted (pending: the heartbeat's `loading` names it) but is
          // not fetched again; a newer announcement (or this one announced again) replaces it.
          if (this.wanted === target && !this.closed && !refused) {
            this.retryTimer = setTimeout(() => {
              this.retryTimer = undefined;
              this.kick();
            }, delay);
          }
        },
      )
      .finally(() => {
        this.loading = false;
        this.attempted();
        // A newer announcement arrived while this one loaded (or failed): go for it now.
        if (this.wanted !== target) this.kick();
      });
  }
}
