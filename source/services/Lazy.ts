/**
 * A client (or anything costly to make) made on first use and then shared by every caller. A
 * failed attempt is forgotten, so that the next use tries again rather than getting the same
 * failure for ever.
 */
export class Lazy<T> {
  private pending: Promise<T> | undefined;

  constructor(private readonly make: () => Promise<T>) {}

  get(): Promise<T> {
    if (this.pending) return this.pending;
    const pending = (async () => this.make())();
    this.pending = pending;
    pending.catch(() => {
      if (this.pending === pending) this.pending = undefined;
    });
    return pending;
  }

  /** What was made (or is being made), without making it; undefined if nothing was, or it failed. */
  current(): Promise<T | undefined> {
    return this.pending ? this.pending.catch(() => undefined) : Promise.resolve(undefined);
  }

  /** Forgets it, so that the next get() makes a new one; returns it as current() would. */
  reset(): Promise<T | undefined> {
    const previous = this.current();
    this.pending = undefined;
    return previous;
  }

  /**
   * Forgets it and, once it is made, ends it with `end`. Never fails: what failed to open, or is
   * already gone, needs no closing.
   */
  async close(end: (value: T) => unknown): Promise<void> {
    try {
      const value = await this.reset();
      if (value !== undefined) await end(value);
    } catch {
      // Already gone.
    }
  }
}
