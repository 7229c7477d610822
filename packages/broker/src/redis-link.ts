import { EventEmitter } from 'node:events';

/** What RedisLink needs of an ioredis connection. */
interface Connection extends EventEmitter {
  /** ioredis' connection state: `ready` once connected (and authenticated, db selected). */
  readonly status: string;
}

/**
 * Whether this node reaches redis, over the store's and the emitter's connections. ioredis
 * reconnects by itself and emits `error` at every failed attempt; unheard (mqemitter-redis
 * re-emits them), one redis restart crashed every broker node. This turns them into one `down`
 * when the first connection fails and one `up` when the last one is back.
 */
export class RedisLink extends EventEmitter<{ down: [Error]; up: [] }> {
  readonly #failing = new Set<string>();
  readonly #connections: Connection[] = [];

  /** Follows one connection; `name` tells them apart (`store`, `emitter-sub`, `emitter-pub`). */
  watch(name: string, connection: Connection): void {
    this.#connections.push(connection);
    connection.on('error', (error: Error) => {
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

  /**
   * Resolves once every connection is ready. At startup, aedes' first store commands would wait in
   * ioredis' offline queue and fail after 20 reconnect attempts with an unhelpful message; a
   * node waits here instead, as long as redis takes, until `signal` gives up.
   */
  async connected(signal: AbortSignal): Promise<void> {
    let waiting: Connection | undefined;
    while ((waiting = this.#connections.find((connection) => connection.status !== 'ready'))) {
      signal.throwIfAborted();
      const connection = waiting;
      // Not events.once(): it rejects at the connection's next `error`, a failed reconnect.
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          connection.off('ready', wake);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        connection.on('ready', wake);
        signal.addEventListener('abort', wake);
      });
    }
    signal.throwIfAborted();
  }

  get up(): boolean {
    return this.#failing.size === 0;
  }
}
