import {watch, type FSWatcher} from 'node:fs';
import {open} from 'node:fs/promises';
import type {
  BusMessage,
  MessageHandler,
  TailOptions,
  TailSubscription,
} from '../ports/MessageBus.js';
import {createLog, NEWLINE, parseRecord, scanTail} from './topicLog.js';

const READ_CHUNK = 1 << 20;
/** Safety net for fs.watch, which can miss events (network file systems, replaced files). */
const POLL_MS = 150;

/** Follows one topic log: reads what is new whenever the file changes, and hands out each record. */
export class LocalTail implements TailSubscription {
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
