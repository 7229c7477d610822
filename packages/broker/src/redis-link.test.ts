import { EventEmitter } from 'node:events';

/** Stands in for an ioredis connection: an emitter with a `status`. */
class FakeConnection extends EventEmitter {
  status = 'connecting';
  ready(): void {
    this.status = 'ready';
    this.emit('ready');
  }
}
import { describe, expect, it } from 'vitest';
import { RedisLink } from './redis-link.js';

describe('RedisLink', () => {
  it('goes down once at the first failing connection and up once when the last one is back', () => {
    const link = new RedisLink();
    const store = new FakeConnection();
    const emitter = new FakeConnection();
    link.watch('store', store);
    link.watch('emitter', emitter);
    const seen: string[] = [];
    link.on('down', (error) => seen.push(`down ${error.message}`));
    link.on('up', () => seen.push('up'));

    store.emit('ready'); // a first connect is not a recovery
    expect(link.up).toBe(true);
    for (let attempt = 0; attempt < 3; attempt++) {
      store.emit('error', new Error('ECONNREFUSED'));
      emitter.emit('error', new Error('ECONNREFUSED'));
    }
    expect(link.up).toBe(false);
    store.emit('ready');
    expect(link.up).toBe(false);
    emitter.emit('ready');
    expect(link.up).toBe(true);
    expect(seen).toEqual(['down ECONNREFUSED', 'up']);
  });

  it('connected() waits until every connection is ready, and gives up when aborted', async () => {
    const link = new RedisLink();
    const store = new FakeConnection();
    const emitter = new FakeConnection();
    link.watch('store', store);
    link.watch('emitter', emitter);
    let connected = false;
    const waiting = link.connected(new AbortController().signal).then(() => (connected = true));
    store.emit('error', new Error('ECONNREFUSED')); // a failed attempt: keep waiting
    store.ready();
    await new Promise((resolve) => setImmediate(resolve));
    expect(connected).toBe(false);
    emitter.ready();
    await waiting;
    expect(connected).toBe(true);

    const never = new RedisLink();
    never.watch('store', new FakeConnection());
    const controller = new AbortController();
    const abandoned = never.connected(controller.signal);
    controller.abort(new Error('closed'));
    await expect(abandoned).rejects.toThrow('closed');
  });
});
