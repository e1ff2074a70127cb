import type {Key} from 'ink';
import {createContext} from 'react';

/** A handler as the frame on screen has it: useKeys updates both fields when a frame commits. */
export interface KeyListener {
  handle: (input: string, key: Key) => void;
  active: boolean;
}

/**
 * The one way keys reach the screens and the shell. Ink hands over every key of one stdin read in
 * a single synchronous loop, before React renders anything, so a key would otherwise see the
 * state from before the key read with it (an arrow that focuses a field, then a digit that must
 * be typed into it rather than switch screens). A key that comes while an earlier key of the same
 * loop has not been drawn yet waits: `requestFrame` has React commit a frame, and `framed` (called
 * once it is committed) hands over the next key. Keys that come alone are handled at once.
 */
export class KeyDispatcher {
  private readonly listeners = new Set<KeyListener>();
  private readonly waiting: [string, Key][] = [];
  /** A key was handled in this synchronous run: its changes are not on screen yet. */
  private undrawn = false;
  private frameRequested = false;
  private handled = 0;

  constructor(private readonly requestFrame: () => void) {}

  listen(listener: KeyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  readonly receive = (input: string, key: Key): void => {
    if (!this.undrawn && this.waiting.length === 0) {
      this.handle(input, key);
      return;
    }
    this.waiting.push([input, key]);
    if (!this.frameRequested) {
      this.frameRequested = true;
      this.requestFrame();
    }
  };

  /** The frame asked for is committed: the listeners now see what the keys before did. */
  framed(): void {
    this.frameRequested = false;
    this.undrawn = false;
    const next = this.waiting.shift();
    if (next) this.handle(...next);
    if (this.waiting.length > 0 && !this.frameRequested) {
      this.frameRequested = true;
      this.requestFrame();
    }
  }

  private handle(input: string, key: Key): void {
    const handled = ++this.handled;
    this.undrawn = true;
    // React schedules its render from a microtask onto setImmediate: an immediate queued after
    // that one runs once the frame is drawn (unless a later key was handled meanwhile).
    queueMicrotask(() =>
      setImmediate(() => {
        if (this.handled === handled) this.undrawn = false;
      }),
    );
    for (const listener of [...this.listeners]) {
      if (listener.active) listener.handle(input, key);
    }
  }
}

export const KeyDispatcherContext = createContext<KeyDispatcher | undefined>(undefined);
