/**
 * A fixed-capacity ring of the newest items: the dashboard's whole memory of the stream.
 * Keeping everything is what freezes MQTTX-style clients under a firehose, so pushing past the
 * capacity evicts the oldest item, in O(1).
 */
export class RetentionBuffer<T> {
  #slots: (T | undefined)[];
  #head = 0; // index of the oldest item
  #size = 0;

  constructor(capacity: number) {
    this.#slots = new Array<T | undefined>(checkCapacity(capacity));
  }

  get capacity(): number {
    return this.#slots.length;
  }

  get size(): number {
    return this.#size;
  }

  /** Adds the newest item; returns the item it evicted, if the buffer was full. */
  push(item: T): T | undefined {
    const capacity = this.#slots.length;
    if (this.#size < capacity) {
      this.#slots[(this.#head + this.#size) % capacity] = item;
      this.#size += 1;
      return undefined;
    }
    const evicted = this.#slots[this.#head];
    this.#slots[this.#head] = item;
    this.#head = (this.#head + 1) % capacity;
    return evicted;
  }

  /** Item `index` counted from the oldest (0) to the newest (size - 1). */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.#size) return undefined;
    return this.#slots[(this.#head + index) % this.#slots.length];
  }

  /** Oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let index = 0; index < this.#size; index += 1) yield this.at(index) as T;
  }

  toArray(): T[] {
    return [...this];
  }

  clear(): void {
    this.#slots = new Array<T | undefined>(this.#slots.length);
    this.#head = 0;
    this.#size = 0;
  }
}

function checkCapacity(capacity: number): number {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`Retention must be a positive whole number of events; got ${String(capacity)}.`);
  }
  return capacity;
}
