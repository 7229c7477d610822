import { FirehoseError } from '@firehose/protocol';

/**
 * What `events()` does when its consumer falls behind and the buffer is full.
 * - `drop-oldest`: discard the oldest buffered event, keep the newest; `dropped` counts them.
 * - `drop-newest`: discard the arriving event; `dropped` counts them.
 * - `error`: stop; the iterator yields what it buffered, then throws `FirehoseError('QUEUE_FULL')`.
 */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest' | 'error';

/**
 * A bounded single-consumer queue exposed as an async iterator. Producers never wait: MQTT
 * delivery must not stall behind one slow `for await` loop, so overflow follows the policy.
 */
export class EventBuffer<T> implements AsyncIterableIterator<T> {
  /** Events discarded by the overflow policy so far. */
  dropped = 0;
  private items: T[] = [];
  private head = 0;
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private failure: Error | undefined;
  private finished = false;

  constructor(
    readonly capacity: number,
    readonly overflow: OverflowPolicy,
    private readonly onReturn: () => Promise<void> = () => Promise.resolve(),
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new FirehoseError(
        'INVALID_CONFIG',
        `bufferSize must be a positive integer, got ${String(capacity)}.`,
      );
    }
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Offers one event; returns false if the buffer has stopped (finished, failed or overflowed). */
  push(item: T): boolean {
    if (this.finished || this.failure !== undefined) return false;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve({ value: item, done: false });
      return true;
    }
    if (this.size >= this.capacity) {
      this.dropped++;
      switch (this.overflow) {
        case 'drop-newest':
          return true;
        case 'drop-oldest':
          this.head++;
          break;
        case 'error':
          this.fail(
            new FirehoseError(
              'QUEUE_FULL',
              `The events() buffer of ${this.capacity} filled up because the loop consumes more slowly than events arrive; raise bufferSize or choose overflow 'drop-oldest'.`,
            ),
          );
          return false;
      }
    }
    this.items.push(item);
    // Compact now and then so the array does not grow with everything ever consumed.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return true;
  }

  /** Ends the iteration after the buffered events with `error`. */
  fail(error: Error): void {
    if (this.finished || this.failure !== undefined) return;
    this.failure = error;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(error);
  }

  /** Ends the iteration after the buffered events. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) {
      const value = this.items[this.head] as T;
      this.items[this.head] = undefined as T; // release the reference for the GC
      this.head++;
      return Promise.resolve({ value, done: false });
    }
    if (this.failure !== undefined) {
      const failure = this.failure;
      // Throw once, then behave as finished, like a generator that threw.
      this.failure = undefined;
      this.finished = true;
      void this.onReturn().catch(() => {});
      return Promise.reject(failure);
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Called by `break` / `return` in a `for await` loop: stop and release the subscription. */
  async return(): Promise<IteratorResult<T>> {
    this.items = [];
    this.head = 0;
    this.end();
    await this.onReturn();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
