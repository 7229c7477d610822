import { createServer } from 'node:net';

/**
 * A loopback port nothing listens on (bound on port 0, then released): a server that is down, or one
 * to start later on it.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
