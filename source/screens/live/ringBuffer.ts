/** A fixed-capacity buffer that keeps the newest items: a push onto a full one drops the oldest. */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`ring buffer capacity must be a whole number >= 1 (got ${capacity})`);
    }
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count += 1;
    } else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  clear(): void {
    // Drop the references too, so evicted items can be collected.
    this.items.fill(undefined);
    this.start = 0;
    this.count = 0;
  }

  /** Oldest first; a new array, so callers may keep it while the buffer moves on. */
  toArray(): T[] {
    const out = new Array<T>(this.count);
    for (let index = 0; index < this.count; index++) {
      out[index] = this.items[(this.start + index) % this.capacity] as T;
    }
    return out;
  }
}
