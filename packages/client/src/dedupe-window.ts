/**
 * Remembers the last `capacity` distinct keys (oldest forgotten first), so an at-least-once
 * redelivery of the same event (`source` + `id`) is recognised without unbounded memory.
 *
 * A ring of keys plus a Set: O(1) per message. (Evicting through `Map.keys().next()` looked
 * simpler but walks over the deleted slots at the front of V8's ordered table on every call, and
 * showed up as the client's single most expensive function in the receive benchmark.)
 */
export class DedupeWindow {
  private readonly seen = new Set<string>();
  private readonly ring: (string | undefined)[];
  private next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('DedupeWindow capacity must be a positive integer.');
    }
    this.ring = new Array<string | undefined>(capacity);
  }

  /** True the first time a key is seen within the window, false for a repeat. */
  add(key: string): boolean {
    // One hash lookup instead of has() + add(): a repeat leaves the size unchanged.
    const before = this.seen.size;
    this.seen.add(key);
    if (this.seen.size === before) return false;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.seen.delete(evicted);
    this.ring[this.next] = key;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}
