import {mkdirSync} from 'node:fs';
import {open, rename} from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import {UserFacingError} from '../errors.js';
import type {BusMessage, MessageBus, TailSubscription} from '../ports/MessageBus.js';
import type {
  BatchHandler,
  BatchOutput,
  RequestRecord,
  RequestStream,
} from '../ports/RequestStream.js';
import {retry} from '../retry.js';
import {groupOffsetFile, readGroupOffset} from './groupOffsetFile.js';

export interface LocalRequestStreamOptions {
  /** The embedded bus (LocalBus). */
  bus: MessageBus;
  /** Where the committed offset is kept: `<stateDir>/serve/<group>.<topic>.offset`. */
  stateDir: string;
  groupId: string;
  topic: string;
  onWarning?: (line: string) => void;
  /** How long to wait for another instance's lock; past the stale time, so a crashed one's is taken. */
  lockWaitMs?: number;
}

const MAX_BATCH = 1_000;
const PUBLISH_BACKOFF = {initialMs: 100, maxMs: 5_000, jitter: 0.2};
/** Attempts at a batch once a stop has begun; then it stays unanswered and is read again next start. */
const ATTEMPTS_WHEN_STOPPING = 3;
const LOCK_STALE_MS = 10_000;

/**
 * Prediction requests from the embedded bus: follows the topic with bus.tail and keeps the next
 * offset to answer in a file, written after each batch is published. At-least-once: a crash
 * between publishing and writing the file answers that batch again. One process per group and
 * state folder (a lock says so), since the embedded bus has no consumer groups.
 */
export class LocalRequestStream implements RequestStream {
  readonly guarantee = 'at-least-once' as const;
  readonly description: string;
  private readonly options: LocalRequestStreamOptions;
  private readonly file: string;
  private pending: RequestRecord[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private committed = 0;
  private subscription: TailSubscription | undefined;
  private stopped = false;
  /** A batch was left unanswered at a stop: those after it must not be committed either. */
  private gaveUp = false;
  private stopping: Promise<void> | undefined;
  private finish!: () => void;
  private readonly finished = new Promise<void>((resolve) => (this.finish = resolve));
  private handler: BatchHandler<BatchOutput> | undefined;
  private joined = false;

  constructor(options: LocalRequestStreamOptions) {
    this.options = options;
    this.file = groupOffsetFile(options.stateDir, options.groupId, options.topic);
    this.description =
      `${options.bus.description}, topic ${options.topic}, group ${options.groupId}, ` +
      'at-least-once (the embedded bus has no transactions: a crash may answer a batch twice)';
  }

  async run<O extends BatchOutput>(handler: BatchHandler<O>): Promise<void> {
    this.handler = handler as unknown as BatchHandler<BatchOutput>;
    mkdirSync(path.dirname(this.file), {recursive: true});
    // The lock needs the file to exist; 'a' creates it without truncating.
    await (await open(this.file, 'a')).close();
    let release: () => Promise<void>;
    try {
      const waitMs = this.options.lockWaitMs ?? LOCK_STALE_MS + 2_000;
      release = await lockfile.lock(this.file, {
        realpath: false,
        stale: LOCK_STALE_MS,
        retries: {retries: Math.ceil(waitMs / 250), minTimeout: 250, maxTimeout: 250},
      });
    } catch {
      throw new UserFacingError(
        `another wine-tui serve of group ${this.options.groupId} is running on ${path.dirname(path.dirname(this.file))}: stop it or use another --group`,
      );
    }
    try {
      this.committed = (await readGroupOffset(this.file)) ?? 0;
      this.subscription = this.options.bus.tail(this.options.topic, {from: 'earliest'}, (m) =>
        this.onMessage(m),
      );
      await this.subscription.ready;
      this.joined = true;
      await this.finished;
    } finally {
      await release().catch(() => {});
    }
  }

  partitions(): number[] | null {
    // One instance per group (the lock), and the embedded bus has one partition.
    return this.joined && !this.stopped ? [0] : null;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      await this.subscription?.close();
      this.flush();
      await this.flushing;
      this.finish();
    })();
    return this.stopping;
  }

  private async onMessage(message: BusMessage): Promise<void> {
    if (message.offset < this.committed) return;
    this.pending.push({...message, receivedAt: performance.now()});
    if (this.pending.length >= MAX_BATCH) {
      // Back-pressure: the tail waits for this handler, so reading pauses while we publish.
      this.flush();
      await this.flushing;
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(() => this.publish(batch));
  }

  private async publish(batch: RequestRecord[]): Promise<void> {
    // Committing a later batch would move the offset past the unanswered one, losing it.
    if (this.gaveUp) return;
    const handler = this.handler!;
    try {
      await retry(
        async () => {
          const output = handler.process(batch);
          await Promise.all(
            output.messages.map(({topic, key, value, headers}) =>
              this.options.bus.publish(topic, {key, value, ...(headers ? {headers} : {})}),
            ),
          );
          const next = batch.at(-1)!.offset + 1;
          await this.writeCommitted(next);
          this.committed = next;
          handler.committed(batch, output);
        },
        {
          ...PUBLISH_BACKOFF,
          shouldRetry: (_, attempt) => !this.stopped || attempt < ATTEMPTS_WHEN_STOPPING,
          onFailedAttempt: (error, attempt) => {
            handler.failed?.(batch, error);
            if (attempt > 1) return;
            this.options.onWarning?.(
              `publishing a batch of ${batch.length} requests failed (${(error as Error).message}); retrying`,
            );
          },
        },
      );
    } catch {
      // Stopped: the batch stays unanswered and is read again by the next start.
      this.gaveUp = true;
    }
  }

  /** Write-then-rename with fsync, so a crash leaves the old or the new offset, never a torn one. */
  private async writeCommitted(next: number): Promise<void> {
    const temporary = `${this.file}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(JSON.stringify({next}) + '\n');
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.file);
  }
}
