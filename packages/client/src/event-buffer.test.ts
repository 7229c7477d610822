import { isFirehoseError } from '@firehose/protocol';
import { describe, expect, it, vi } from 'vitest';
import { EventBuffer } from './event-buffer.js';

async function collect<T>(buffer: EventBuffer<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of buffer) out.push(item);
  return out;
}

describe('EventBuffer', () => {
  it('hands events to a waiting consumer and buffers the rest in order', async () => {
    const buffer = new EventBuffer<number>(10, 'drop-oldest');
    const first = buffer.next();
    buffer.push(1);
    buffer.push(2);
    buffer.push(3);
    buffer.end();
    expect(await first).toEqual({ value: 1, done: false });
    expect(await collect(buffer)).toEqual([2, 3]);
  });

  it('drop-oldest keeps the newest events and counts the dropped ones', async () => {
    const buffer = new EventBuffer<number>(3, 'drop-oldest');
    for (let i = 1; i <= 5; i++) expect(buffer.push(i)).toBe(true);
    buffer.end();
    expect(buffer.dropped).toBe(2);
    expect(await collect(buffer)).toEqual([3, 4, 5]);
  });

  it('drop-newest keeps the oldest events', async () => {
    const buffer = new EventBuffer<number>(3, 'drop-newest');
    for (let i = 1; i <= 5; i++) buffer.push(i);
    buffer.end();
    expect(buffer.dropped).toBe(2);
    expect(await collect(buffer)).toEqual([1, 2, 3]);
  });

  it("'error' yields what it buffered, then throws QUEUE_FULL and unsubscribes", async () => {
    const onReturn = vi.fn(() => Promise.resolve());
    const buffer = new EventBuffer<number>(2, 'error', onReturn);
    buffer.push(1);
    buffer.push(2);
    expect(buffer.push(3)).toBe(false);
    expect(buffer.push(4)).toBe(false);
    const seen: number[] = [];
    let error: unknown;
    try {
      for await (const item of buffer) seen.push(item);
    } catch (e) {
      error = e;
    }
    expect(seen).toEqual([1, 2]);
    expect(isFirehoseError(error, 'QUEUE_FULL')).toBe(true);
    expect(onReturn).toHaveBeenCalled();
    expect(await buffer.next()).toEqual({ value: undefined, done: true });
  });

  it('rejects a pending next() when failed', async () => {
    const buffer = new EventBuffer<number>(2, 'drop-oldest');
    const pending = buffer.next();
    buffer.fail(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
  });

  it('break calls return(), which releases the subscription and discards the rest', async () => {
    const onReturn = vi.fn(() => Promise.resolve());
    const buffer = new EventBuffer<number>(10, 'drop-oldest', onReturn);
    buffer.push(1);
    buffer.push(2);
    for await (const item of buffer) {
      expect(item).toBe(1);
      break;
    }
    expect(onReturn).toHaveBeenCalledTimes(1);
    expect(buffer.push(3)).toBe(false);
    expect(await buffer.next()).toEqual({ value: undefined, done: true });
  });

  it('stays bounded under a long stream with a slow consumer', async () => {
    const buffer = new EventBuffer<number>(100, 'drop-oldest');
    for (let i = 0; i < 100_000; i++) buffer.push(i);
    expect(buffer.size).toBe(100);
    expect(buffer.dropped).toBe(99_900);
    expect(await buffer.next()).toEqual({ value: 99_900, done: false });
  });
});
