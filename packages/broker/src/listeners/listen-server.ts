import type { Server } from 'node:net';
import { FirehoseError } from '@firehose/protocol';

/** Starts `server` on host:port, turning bind failures into a sentence. */
export function listenServer(server: Server, host: string, port: number, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new FirehoseError(
          'CONNECTION_FAILED',
          `The ${name} listener cannot listen on ${host}:${port} (${error.code ?? error.message}); choose another port or stop the process using it.`,
          { cause: error, path: `listeners.${name}` },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Stops a server accepting and returns a promise for its full close (which Node resolves only once
 * every connection has ended). Safe to call again: later calls share the first promise.
 */
export function closeServer(server: Server): Promise<void> {
  const cached = closing.get(server);
  if (cached) return cached;
  const promise = new Promise<void>((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
  closing.set(server, promise);
  return promise;
}

const closing = new WeakMap<Server, Promise<void>>();

/** The bound address of a listening server. */
export function serverAddress(server: Server): { host: string; port: number } {
  const address = server.address();
  if (address === null || typeof address === 'string') return { host: '', port: 0 };
  return { host: address.address, port: address.port };
}
