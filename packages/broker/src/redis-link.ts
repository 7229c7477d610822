import { EventEmitter } from 'node:events';

/** What RedisLink needs of an ioredis connection. */
interface Connection {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
}

/**
 * Whether this node reaches redis, over the store's and the emitter's connections. ioredis
 * reconnects by itself and emits `error` at every failed attempt; unheard (mqemitter-redis
 * re-emits them), one redis restart crashed every broker node. This turns them into one `down`
 * when the first connection fails and one `up` when the last one is back.
 */
export class RedisLink extends EventEmitter<{ down: [Error]; up: [] }> {
  readonly #failing = new Set<string>();

  /** Follows one connection; `name` tells them apart (`store`, `emitter-sub`, `emitter-pub`). */
  watch(name: string, connection: Connection): void {
    connection.on('error', (error) => {
      if (this.#failing.has(name)) return;
      const wasUp = this.up;
      this.#failing.add(name);
      if (wasUp) this.emit('down', error);
    });
    connection.on('ready', () => {
      if (!this.#failing.delete(name)) return;
      if (this.up) this.emit('up');
    });
  }

  get up(): boolean {
    return this.#failing.size === 0;
  }
}
