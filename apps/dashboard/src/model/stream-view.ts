import { burstKey } from './burst-key.js';
import type { ItemPredicate } from './filters.js';
import type { StreamItem } from './stream-item.js';

/** One row of the stream: a single event, or a burst of events about one change. */
export interface StreamEntry {
  /** The seq of its first (oldest) item: stable across rebuilds, so selection and expansion survive. */
  readonly id: number;
  /** Oldest first. */
  readonly items: StreamItem[];
  readonly key: string | undefined;
  /** Bumped whenever `items` changes, so a row knows to re-render. */
  version: number;
}

export interface StreamViewOptions {
  readonly predicate: ItemPredicate;
  /** Collapse consecutive events for one change into one row. @default true */
  readonly grouping?: boolean;
  /** A burst ends when the next event for the change comes this much later. @default 60_000 */
  readonly burstWindowMs?: number;
}

/**
 * The filtered, burst-collapsed rows over the retained events. Appends and evictions are
 * incremental (the live path runs every frame); a filter change rebuilds it from the buffer.
 */
export class StreamView {
  readonly #predicate: ItemPredicate;
  readonly #grouping: boolean;
  readonly #windowMs: number;
  // Oldest first; entries before #start have been evicted and are compacted away lazily.
  #entries: StreamEntry[] = [];
  #start = 0;
  #itemCount = 0;

  constructor(options: StreamViewOptions) {
    this.#predicate = options.predicate;
    this.#grouping = options.grouping ?? true;
    this.#windowMs = options.burstWindowMs ?? 60_000;
  }

  /** Number of rows (entries). */
  get length(): number {
    return this.#entries.length - this.#start;
  }

  /** Number of events in the rows (what "shown" counts). */
  get itemCount(): number {
    return this.#itemCount;
  }

  get predicate(): ItemPredicate {
    return this.#predicate;
  }

  /** Row `position` counted from the newest (0). */
  newest(position: number): StreamEntry | undefined {
    if (position < 0) return undefined;
    return this.#entries[this.#entries.length - 1 - position];
  }

  /** Position (from the newest) of the row with this id, or -1. Ids ascend oldest → newest. */
  positionOf(id: number): number {
    let low = this.#start;
    let high = this.#entries.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const entry = this.#entries[middle] as StreamEntry;
      if (entry.id === id) return this.#entries.length - 1 - middle;
      if (entry.id < id) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /** Every event in the rows, oldest first (for export). */
  *items(): IterableIterator<StreamItem> {
    for (let index = this.#start; index < this.#entries.length; index += 1) {
      yield* (this.#entries[index] as StreamEntry).items;
    }
  }

  /** Adds a newly received event; returns whether it matched the filter. */
  append(item: StreamItem): boolean {
    if (!this.#predicate(item)) return false;
    this.#itemCount += 1;
    const key = this.#grouping ? burstKey(item) : undefined;
    const last = this.length > 0 ? this.#entries[this.#entries.length - 1] : undefined;
    const lastItem = last?.items[last.items.length - 1];
    if (
      key !== undefined &&
      last?.key === key &&
      lastItem !== undefined &&
      item.receivedAt - lastItem.receivedAt <= this.#windowMs
    ) {
      last.items.push(item);
      last.version += 1;
      return true;
    }
    this.#entries.push({ id: item.seq, items: [item], key, version: 0 });
    return true;
  }

  /** Drops every event with `seq <= through` (they left the retention buffer). */
  evictThrough(through: number): void {
    while (this.#start < this.#entries.length) {
      const entry = this.#entries[this.#start] as StreamEntry;
      let drop = 0;
      while (drop < entry.items.length && (entry.items[drop] as StreamItem).seq <= through) drop += 1;
      if (drop === 0) break;
      this.#itemCount -= drop;
      if (drop < entry.items.length) {
        entry.items.splice(0, drop);
        entry.version += 1;
        break;
      }
      this.#start += 1;
    }
    // Compact now and then: shifting the array on every eviction would be O(n) per frame.
    if (this.#start > 1024 && this.#start * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#start);
      this.#start = 0;
    }
  }

  /** Replaces the rows with `items` (oldest first) run through the filter. */
  rebuild(items: Iterable<StreamItem>): void {
    this.#entries = [];
    this.#start = 0;
    this.#itemCount = 0;
    for (const item of items) this.append(item);
  }
}
