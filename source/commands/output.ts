/**
 * Standard output and error as the headless commands use them: nothing written is lost when the
 * reader is slow, a reader that goes away early (`| head -3`) ends the command quietly, and the
 * process exits only once what was written has reached the reader.
 */

export interface WritableStdio {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  once(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
  readonly writableLength: number;
  readonly writableNeedDrain: boolean;
  readonly destroyed: boolean;
}

/** One stream: writes whole lines, tells when it can take more and when its reader is gone. */
export class OutputStream {
  readonly readerGone: Promise<void>;
  private gone = false;
  private markGone!: () => void;

  constructor(private readonly stream: WritableStdio) {
    this.readerGone = new Promise((resolve) => (this.markGone = resolve));
    // EPIPE is a reader that closed its end (`| head`): not an error for a command, as for kcat
    // or grep. Any other write error (a full disk behind a redirect) also ends the writing.
    stream.on('error', () => this.goneNow());
  }

  get isGone(): boolean {
    return this.gone;
  }

  /** Queues text; false when the stream wants the writer to wait (see `writable`). */
  write(text: string): boolean {
    if (this.gone || this.stream.destroyed) return false;
    return this.stream.write(text);
  }

  /** Resolves when the stream can take more (at once if it can), or when its reader is gone. */
  writable(): Promise<void> {
    if (this.gone || !this.stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        resolve();
      };
      this.stream.once('drain', done);
      void this.readerGone.then(done);
    });
  }

  /** Resolves once everything written so far has been handed to the reader (or it is gone). */
  drained(): Promise<void> {
    if (this.gone || this.stream.destroyed || this.stream.writableLength === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      // The callback of an empty write runs after every chunk queued before it.
      this.stream.write('', () => resolve());
      void this.readerGone.then(resolve);
    });
  }

  private goneNow(): void {
    if (this.gone) return;
    this.gone = true;
    this.markGone();
  }
}

/** Where a command writes: one line at a time, with back-pressure for commands that stream. */
export interface CommandIO {
  /** False when stdout holds more than it wants: a streaming writer then waits for `stdoutWritable`. */
  stdout(line: string): boolean;
  stderr(line: string): void;
  /** Resolves when stdout can take more output; streaming commands wait on it. */
  stdoutWritable(): Promise<void>;
  /** Resolves when the reader of stdout has gone away: a streaming command then stops. */
  readonly stdoutGone: Promise<void>;
  /** Resolves once both streams have handed everything to their readers. */
  drained(): Promise<void>;
}

export function commandIO(stdout: WritableStdio, stderr: WritableStdio): CommandIO {
  const out = new OutputStream(stdout);
  const err = new OutputStream(stderr);
  return {
    stdout: (line) => out.write(`${line}\n`),
    stderr: (line) => void err.write(`${line}\n`),
    stdoutWritable: () => out.writable(),
    stdoutGone: out.readerGone,
    drained: async () => {
      await Promise.all([out.drained(), err.drained()]);
    },
  };
}
