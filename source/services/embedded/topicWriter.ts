import {open} from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import {UserFacingError} from '../errors.js';
import {createLog, scanTail, type StoredRecord} from './topicLog.js';

export interface PendingPublish {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  resolve: (offset: number) => void;
  reject: (error: unknown) => void;
}

/** A writer that died holding the lock is taken over after this long. */
const LOCK_STALE_MS = 10_000;

/**
 * Batches the publishes of one topic made in this process and appends them, one batch at a time:
 * one write and one fsync per batch (group commit), under a lock shared with other processes.
 */
export class TopicWriter {
  private queue: PendingPublish[] = [];
  private running: Promise<void> | undefined;
  /** Size and next offset after our last append: if the file still has that size, no one else wrote. */
  private known: {size: number; next: number} | undefined;
  private created = false;

  constructor(
    private readonly file: string,
    private readonly warn: (message: string) => void,
  ) {}

  add(publish: PendingPublish): void {
    this.queue.push(publish);
    this.running ??= this.drain();
  }

  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    // Let every publish issued in this tick join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        const first = await this.append(batch);
        batch.forEach((publish, index) => publish.resolve(first + index));
      } catch (error) {
        batch.forEach((publish) => publish.reject(error));
      }
    }
    // Cleared in the same synchronous step as the emptiness check, so no publish is stranded.
    this.running = undefined;
  }

  private async append(batch: PendingPublish[]): Promise<number> {
    if (!this.created) await createLog(this.file);
    this.created = true;
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(this.file, {
        realpath: false,
        stale: LOCK_STALE_MS,
        retries: {retries: 2000, minTimeout: 1, maxTimeout: 25, factor: 1.5},
        onCompromised: (error) => this.warn(`lock on ${this.file} was lost: ${error.message}`),
      });
    } catch (error) {
      throw new UserFacingError(
        `cannot lock ${this.file}: ${(error as Error).message}; is another process stuck?`,
      );
    }
    try {
      const handle = await open(this.file, 'a+');
      try {
        let {size} = await handle.stat();
        let next: number;
        if (this.known?.size === size) {
          next = this.known.next;
        } else {
          const tail = await scanTail(handle, size);
          next = tail.next;
          if (tail.complete < size) {
            // A writer crashed mid-append; its record was never acknowledged.
            await handle.truncate(tail.complete);
            this.warn(`discarded ${size - tail.complete} bytes of a torn record in ${this.file}`);
            size = tail.complete;
          }
        }
        const timestamp = Date.now();
        const text = batch
          .map((publish, index) => {
            const record: StoredRecord = {
              offset: next + index,
              timestamp,
              key: publish.key,
              value: publish.value.toString('base64'),
              headers: publish.headers,
            };
            return JSON.stringify(record) + '\n';
          })
          .join('');
        const bytes = Buffer.from(text);
        await handle.appendFile(bytes);
        await handle.datasync();
        this.known = {size: size + bytes.length, next: next + batch.length};
        return next;
      } finally {
        await handle.close();
      }
    } finally {
      await release();
    }
  }
}
