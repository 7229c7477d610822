import { isFirehoseError } from '@firehose/protocol';
import { describe, expect, it } from 'vitest';
import { PublishQueue } from './publish-queue.js';

describe('PublishQueue', () => {
  it('keeps order, deletes in place, and rejects overflow with QUEUE_FULL', () => {
    const queue = new PublishQueue<string>(3);
    queue.add('a');
    queue.add('b');
    queue.add('c');
    let error: unknown;
    try {
      queue.add('d');
    } catch (e) {
      error = e;
    }
    expect(isFirehoseError(error, 'QUEUE_FULL')).toBe(true);
    expect(queue.delete('b')).toBe(true);
    queue.add('d');
    expect(queue.drain()).toEqual(['a', 'c', 'd']);
    expect(queue.size).toBe(0);
  });

  it('with capacity 0 refuses every offline publish', () => {
    const queue = new PublishQueue<string>(0);
    expect(() => queue.add('a')).toThrow(/offline publish queue is full/);
  });
});
