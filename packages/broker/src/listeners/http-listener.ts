import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { ListenerConfig } from '../config/types.js';
import { INGEST_PREFIX } from '../ingest/http-intake.js';
import { applyCors } from './cors.js';
import { closeServer, listenServer, serverAddress } from './listen-server.js';
import type { RunningListener } from './listener.js';

export interface HttpEndpoints {
  metrics: Registry;
  /** Ready = listening and persistence up; `/readyz` answers 503 otherwise. */
  ready(): boolean;
  /** Ready but degraded (the history deep archive away): a sentence `/readyz` adds to its `ready`. */
  degraded?(): string | undefined;
  /** `POST /v1/ingest/<service>`: the webhook intake (ingest/http-intake.ts). */
  ingest?(req: IncomingMessage, res: ServerResponse): void;
  /** The history API (`/v1/…`); answers and returns true for its paths. */
  history?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** `/metrics` (Prometheus), `/healthz` (process alive), `/readyz` (accepting clients). */
export async function startHttpListener(
  settings: ListenerConfig,
  endpoints: HttpEndpoints,
): Promise<RunningListener> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (endpoints.ingest !== undefined && path.startsWith(INGEST_PREFIX)) {
      endpoints.ingest(req, res);
      return;
    }
    // The history API is read from other origins too (a dashboard hosted elsewhere): CORS on all of it.
    if (endpoints.history !== undefined && path.startsWith('/v1/') && applyCors(req, res)) return;
    if (req.method === 'GET' && endpoints.history?.(req, res) === true) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ready = endpoints.ready();
      // Degraded is still ready: a load balancer keeps sending clients, live delivery works.
      const degraded = ready ? endpoints.degraded?.() : undefined;
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ready ? (degraded === undefined ? 'ready\n' : `ready, degraded: ${degraded}\n`) : 'not ready\n');
    } else if (path === '/metrics') {
      endpoints.metrics.metrics().then(
        (body) => res.writeHead(200, { 'content-type': endpoints.metrics.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Try /metrics, /healthz or /readyz.\n');
    }
  });
  server.keepAliveTimeout = 5000;
  await listenServer(server, settings.host, settings.port, 'http');
  return {
    kind: 'http',
    settings,
    address: () => serverAddress(server),
    stop: () => void closeServer(server),
    close: async () => {
      const closed = closeServer(server);
      server.closeAllConnections();
      await closed;
    },
  };
}
