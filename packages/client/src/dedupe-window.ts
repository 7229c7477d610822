/**
 * Remembers the last `capacity` keys (least recently seen evicted first), so an at-least-once
 * redelivery of the same event (`source` + `id`) is recognised without unbounded memory.
 */
export class DedupeWindow {
  // A Map iterates in insertion order; re-inserting a key moves it to the end, giving an LRU.
  private readonly seen = new Map<string, true>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('DedupeWindow capacity must be a positive integer.');
  }

  /** True the first time a key is seen within the window, false for a repeat. */
  add(key: string): boolean {
    if (this.seen.has(key)) {
      this.seen.delete(key);
      this.seen.set(key, true);
      return false;
    }
    this.seen.set(key, true);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  clear(): void {
    this.seen.clear();
  }
}
