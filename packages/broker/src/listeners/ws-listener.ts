import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { WebSocketServer, type WebSocket } from 'ws';
import { webSocketSink } from '../connection/sinks.js';
import type { ListenerConfig } from '../config/types.js';
import { readPem } from './read-pem.js';
import { closeServer, listenServer, serverAddress } from './listen-server.js';
import type { ListenerHost, RunningListener } from './listener.js';

function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/** MQTT over WebSocket (or TLS WebSocket), one binary frame per MQTT packet. */
export async function startWsListener(
  host: ListenerHost,
  settings: ListenerConfig,
  tls: boolean,
  maxPacketBytes: number,
): Promise<RunningListener> {
  const kind = tls ? 'wss' : 'ws';
  const onRequest = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end(`Connect with an MQTT client over WebSocket at ${settings.path ?? '/mqtt'}.\n`);
  };
  const httpsServer = tls
    ? createHttpsServer(
        {
          cert: readPem(settings.cert),
          key: readPem(settings.key),
          ...(settings.ca ? { ca: readPem(settings.ca) } : {}),
        },
        onRequest,
      )
    : undefined;
  const server: Server = httpsServer ?? createHttpServer(onRequest);
  const wss = new WebSocketServer({
    server,
    path: settings.path ?? '/mqtt',
    perMessageDeflate: false,
    // One MQTT packet may span frames from some clients, but never more than the packet limit.
    maxPayload: maxPacketBytes + 5,
    handleProtocols: (protocols) =>
      protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false,
  });
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const conn = host.accept(
      { ip: clientIp(req, host.trustProxy), listener: kind, payload: settings.payload },
      webSocketSink(ws, req.socket),
    );
    if (!conn) {
      ws.terminate();
      return;
    }
    ws.on('message', (data: Buffer) => conn.feed(data));
    ws.on('close', () => {
      conn.peerEnded();
      conn.destroy();
    });
    ws.on('error', () => conn.destroy());
  });
  wss.on('error', () => {});
  await listenServer(server, settings.host, settings.port, kind);
  return {
    kind,
    settings,
    address: () => serverAddress(server),
    reloadTls: (next) =>
      httpsServer?.setSecureContext({
        cert: readPem(next.cert),
        key: readPem(next.key),
        ...(next.ca ? { ca: readPem(next.ca) } : {}),
      }),
    stop: () => void closeServer(server),
    close: async () => {
      const closed = closeServer(server);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
