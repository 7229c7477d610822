import { FirehoseError } from '@firehose/protocol';

/**
 * Publishes waiting for a connection, in order, bounded. Entries leave the queue when they are
 * handed to MQTT.js after (re)connecting, or when their caller's timeout fires first — in which
 * case they are never sent.
 */
export class PublishQueue<T> {
  // A Set keeps insertion order and deletes in O(1), which the per-publish timeout needs.
  private readonly entries = new Set<T>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new FirehoseError(
        'INVALID_CONFIG',
        `offlineQueueSize must be a non-negative integer, got ${String(capacity)}.`,
      );
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** @throws FirehoseError `QUEUE_FULL` when `capacity` publishes are already waiting. */
  add(entry: T): void {
    if (this.entries.size >= this.capacity) {
      throw new FirehoseError(
        'QUEUE_FULL',
        `The offline publish queue is full (${this.capacity} messages wait for a connection); retry after the client reconnects or raise offlineQueueSize.`,
      );
    }
    this.entries.add(entry);
  }

  delete(entry: T): boolean {
    return this.entries.delete(entry);
  }

  /** Removes and returns every waiting entry, oldest first. */
  drain(): T[] {
    const all = [...this.entries];
    this.entries.clear();
    return all;
  }
}
