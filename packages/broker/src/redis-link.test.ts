import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { RedisLink } from './redis-link.js';

describe('RedisLink', () => {
  it('goes down once at the first failing connection and up once when the last one is back', () => {
    const link = new RedisLink();
    const store = new EventEmitter();
    const emitter = new EventEmitter();
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
});
