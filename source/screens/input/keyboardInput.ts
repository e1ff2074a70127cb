import {EventEmitter} from 'node:events';

/**
 * Over SSH (or from tmux, or a paste) several keys often arrive in one read: "jjj", "0.3\r" or two
 * arrows. Ink hands a read to useInput as ONE input, so "jjj" matches no key at all, an Enter inside
 * text is typed as text, and keys handled in one go see the state of the previous render. This
 * stdin stand-in splits each read into keys - an escape sequence (an arrow, Alt+key) whole, every
 * other character alone - and delivers them a few milliseconds apart, so every key reaches the
 * handlers of the state the previous key produced. (A paste into a field arrives as fast typing.)
 */
const KEY =
  // CSI (arrows, Delete, F-keys: ESC [ params final), SS3 (ESC O x), Alt+key (ESC x), a lone ESC,
  // or any other single code point. Matching ESC is the point here.
  // eslint-disable-next-line no-control-regex
  /\u001B\[[0-?]*[ -/]*[@-~]|\u001BO.|\u001B[\s\S]?|[\s\S]/gu;
/** Long enough for React to commit and Ink to re-attach the input handlers between two keys. */
const KEY_GAP_MS = 15;

export function splitKeys(chunk: string): string[] {
  return chunk.match(KEY) ?? [];
}

export class KeySplittingStdin extends EventEmitter {
  readonly isTTY: boolean;
  private readonly queue: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly onReadable = () => {
    let chunk: string | Buffer | null;
    while ((chunk = this.real.read() as string | Buffer | null) !== null) {
      this.queue.push(...splitKeys(String(chunk)));
    }
    this.deliver();
  };

  constructor(private readonly real: NodeJS.ReadStream) {
    super();
    this.isTTY = Boolean(real.isTTY);
    // Attach to the real stream only while Ink listens, so a closed app does not hold stdin.
    this.on('newListener', (event: string) => {
      if (event === 'readable' && this.listenerCount('readable') === 0) {
        real.on('readable', this.onReadable);
      }
    });
    this.on('removeListener', (event: string) => {
      if (event === 'readable' && this.listenerCount('readable') === 0) {
        real.off('readable', this.onReadable);
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    });
  }

  private deliver(): void {
    if (this.timer !== undefined || this.queue.length === 0) return;
    this.emit('readable');
    if (this.queue.length > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.deliver();
      }, KEY_GAP_MS);
    }
  }

  /** Ink reads until null: one key (or run of text) per 'readable'. */
  private handedOut = false;
  read(): string | null {
    if (this.handedOut) {
      this.handedOut = false;
      return null;
    }
    const next = this.queue.shift();
    if (next === undefined) return null;
    this.handedOut = true;
    return next;
  }

  setEncoding(encoding: BufferEncoding): this {
    this.real.setEncoding(encoding);
    return this;
  }

  setRawMode(mode: boolean): this {
    this.real.setRawMode(mode);
    return this;
  }

  ref(): this {
    this.real.ref();
    return this;
  }

  unref(): this {
    this.real.unref();
    return this;
  }
}
