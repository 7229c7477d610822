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

/** Closes a server, resolving once it no longer accepts. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
  });
}

/** The bound address of a listening server. */
export function serverAddress(server: Server): { host: string; port: number } {
  const address = server.address();
  if (address === null || typeof address === 'string') return { host: '', port: 0 };
  return { host: address.address, port: address.port };
}
