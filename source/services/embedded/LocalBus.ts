import {mkdirSync, watch, type FSWatcher} from 'node:fs';
import {open, readdir, type FileHandle} from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import {UserFacingError} from '../errors.js';
import type {
  BusMessage,
  MessageBus,
  MessageHandler,
  OutgoingMessage,
  PublishResult,
  TailOptions,
  TailSubscription,
  TopicInfo,
} from '../ports/MessageBus.js';
import {checkTopicName, encodeValue} from '../messages/messageInput.js';

export interface LocalBusOptions {
  /** The state folder; the logs live in `bus/` inside it. Both are created. */
  stateDir: string;
  /** Problems that do not stop the bus: corrupt log lines, handlers that throw. */
  onWarning?: (message: string) => void;
}

/** One line of a topic log. The value is base64 so that any bytes survive JSON. */
interface StoredRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

interface PendingPublish {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  resolve: (offset: number) => void;
  reject: (error: unknown) => void;
}

const NEWLINE = 0x0a;
const READ_CHUNK = 1 << 20;
const TAIL_SCAN_CHUNK = 1 << 16;
/** Safety net for fs.watch, which can miss events (network file systems, replaced files). */
const POLL_MS = 150;
/** A writer that died holding the lock is taken over after this long. */
const LOCK_STALE_MS = 10_000;
const LOG_SUFFIX = '.log';

/**
 * The embedded bus: one append-only log of JSON lines per topic (a single partition 0) under
 * `<stateDir>/bus`. Several processes may share the folder: appends happen under a cross-process
 * lock, one write and one fsync per batch of publishes (group commit). An open tail keeps the
 * process alive, as a Kafka consumer would; close() releases everything.
 */
export class LocalBus implements MessageBus {
  readonly kind = 'embedded';
  readonly description: string;
  private readonly dir: string;
  private readonly warn: (message: string) => void;
  private readonly writers = new Map<string, TopicWriter>();
  private readonly tails = new Set<LocalTail>();
  private closed = false;

  constructor(options: LocalBusOptions) {
    this.dir = path.join(options.stateDir, 'bus');
    mkdirSync(this.dir, {recursive: true});
    this.description = `embedded bus ${this.dir}`;
    this.warn = options.onWarning ?? (() => {});
  }

  publish(topic: string, message: OutgoingMessage): Promise<PublishResult> {
    return new Promise((resolve, reject) => {
      if (this.closed) throw new Error('the embedded bus is closed');
      checkTopicName(topic);
      const value = encodeValue(message.value);
      let writer = this.writers.get(topic);
      if (!writer) {
        writer = new TopicWriter(this.logFile(topic), this.warn);
        this.writers.set(topic, writer);
      }
      writer.add({
        key: message.key ?? null,
        value,
        headers: {...message.headers},
        resolve: (offset) => resolve({topic, partition: 0, offset}),
        reject,
      });
    });
  }

  tail(topic: string, options: TailOptions, onMessage: MessageHandler): TailSubscription {
    if (this.closed) throw new Error('the embedded bus is closed');
    checkTopicName(topic);
    const tail = new LocalTail(topic, this.logFile(topic), options, onMessage, this.warn, () =>
      this.tails.delete(tail),
    );
    this.tails.add(tail);
    return tail;
  }

  async listTopics(only?: string[]): Promise<TopicInfo[]> {
    const names = (await readdir(this.dir))
      .filter((name) => name.endsWith(LOG_SUFFIX))
      .map((name) => name.slice(0, -LOG_SUFFIX.length))
      .filter((name) => !only || only.includes(name))
      .sort();
    return Promise.all(
      names.map(async (name) => {
        const file = await open(this.logFile(name), 'r');
        try {
          const {size} = await file.stat();
          const {next} = await scanTail(file, size);
          // Records are never deleted, so the log always starts at offset 0.
          return {name, partitions: [{partition: 0, low: 0, high: next}]};
        } finally {
          await file.close();
        }
      }),
    );
  }

  async ensureTopics(topics: string[]): Promise<string[]> {
    topics.forEach(checkTopicName);
    const created: string[] = [];
    for (const topic of new Set(topics)) {
      if (await createLog(this.logFile(topic))) created.push(topic);
    }
    return created;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.writers.values()].map((writer) => writer.idle()));
    await Promise.all([...this.tails].map((tail) => tail.close()));
  }

  private logFile(topic: string): string {
    return path.join(this.dir, topic + LOG_SUFFIX);
  }
}

/**
 * Creates an empty log if there is none (true if it did); fsyncs the folder so that the new name is
 * durable.
 */
async function createLog(file: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  await handle.close();
  const dir = await open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return true;
}

/** Batches the publishes of one topic made in this process and appends them, one batch at a time. */
class TopicWriter {
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

/**
 * Reads backwards from the end: `complete` is the length up to the last newline (what follows is a
 * torn or in-progress record), `next` the offset after the last record that parses.
 */
async function scanTail(
  handle: FileHandle,
  size: number,
): Promise<{next: number; complete: number}> {
  let data = Buffer.alloc(0);
  let position = size;
  let complete: number | undefined;
  for (;;) {
    if (complete === undefined) {
      const newline = data.lastIndexOf(NEWLINE);
      if (newline >= 0) {
        complete = position + newline + 1;
        data = data.subarray(0, newline + 1);
      }
    }
    if (complete !== undefined) {
      const lines = data.toString('utf8').split('\n');
      // The first piece may be the end of a line that starts further back, unless at the start.
      const firstWhole = position === 0 ? 0 : 1;
      for (let index = lines.length - 2; index >= firstWhole; index--) {
        const record = parseRecord(lines[index] ?? '');
        if (record) return {next: record.offset + 1, complete};
      }
      data = data.subarray(0, data.indexOf(NEWLINE) + 1);
    }
    if (position === 0) return {next: 0, complete: complete ?? 0};
    const length = Math.min(TAIL_SCAN_CHUNK, position);
    position -= length;
    const chunk = Buffer.alloc(length);
    await handle.read(chunk, 0, length, position);
    data = Buffer.concat([chunk, data]);
  }
}

function parseRecord(line: string): StoredRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Partial<StoredRecord>;
  const valid =
    Number.isSafeInteger(record.offset) &&
    (record.offset ?? -1) >= 0 &&
    typeof record.timestamp === 'number' &&
    (record.key === null || typeof record.key === 'string') &&
    (record.value === null || typeof record.value === 'string') &&
    typeof record.headers === 'object' &&
    record.headers !== null &&
    Object.values(record.headers).every((value) => typeof value === 'string');
  return valid ? (record as StoredRecord) : undefined;
}

class LocalTail implements TailSubscription {
  readonly ready: Promise<void>;
  /** Byte position just after the last complete line handed out. */
  private position = 0;
  private closed = false;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private warnedCorrupt = false;

  constructor(
    private readonly topic: string,
    private readonly file: string,
    options: TailOptions,
    private readonly onMessage: MessageHandler,
    private readonly warn: (message: string) => void,
    private readonly onClose: () => void,
  ) {
    this.ready = this.start(options);
    // Callers that never await `ready` must not crash the process with an unhandled rejection.
    this.ready.catch(() => {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watcher?.close();
    clearInterval(this.timer);
    this.onClose();
    await this.reading;
  }

  private async start(options: TailOptions): Promise<void> {
    await createLog(this.file);
    if (options.from === 'latest') {
      const handle = await open(this.file, 'r');
      try {
        const {size} = await handle.stat();
        this.position = (await scanTail(handle, size)).complete;
      } finally {
        await handle.close();
      }
    }
    if (this.closed) return;
    try {
      this.watcher = watch(this.file, () => this.wake());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // Polling alone still works.
    }
    this.timer = setInterval(() => this.wake(), POLL_MS);
    this.wake();
  }

  private wake(): void {
    if (this.closed) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = (async () => {
      do {
        this.readAgain = false;
        try {
          await this.readNew();
        } catch (error) {
          this.warn(`reading ${this.file} failed: ${(error as Error).message}`);
        }
      } while (this.readAgain && !this.closed);
      this.reading = undefined;
    })();
  }

  private async readNew(): Promise<void> {
    const handle = await open(this.file, 'r');
    try {
      let buffer = Buffer.alloc(READ_CHUNK);
      while (!this.closed) {
        const {bytesRead} = await handle.read(buffer, 0, buffer.length, this.position);
        if (bytesRead === 0) return;
        const newline = buffer.subarray(0, bytesRead).lastIndexOf(NEWLINE);
        if (newline === -1) {
          // A partial line: wait for its writer, unless it is longer than the buffer.
          if (bytesRead < buffer.length) return;
          buffer = Buffer.alloc(buffer.length * 2);
          continue;
        }
        const lines = buffer.subarray(0, newline).toString('utf8').split('\n');
        this.position += newline + 1;
        for (const line of lines) {
          if (this.closed) return;
          await this.deliver(line);
        }
      }
    } finally {
      await handle.close();
    }
  }

  private async deliver(line: string): Promise<void> {
    const record = parseRecord(line);
    if (!record) {
      if (!this.warnedCorrupt) {
        this.warnedCorrupt = true;
        this.warn(`skipping corrupt records in ${this.file}`);
      }
      return;
    }
    const message: BusMessage = {
      topic: this.topic,
      partition: 0,
      offset: record.offset,
      timestamp: record.timestamp,
      key: record.key,
      value: record.value === null ? null : Buffer.from(record.value, 'base64'),
      headers: record.headers,
    };
    try {
      await this.onMessage(message);
    } catch (error) {
      this.warn(
        `handler for ${this.topic} failed at offset ${record.offset}: ${(error as Error).message}`,
      );
    }
  }
}
