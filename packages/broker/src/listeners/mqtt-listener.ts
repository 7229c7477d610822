import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { socketSink } from '../connection/sinks.js';
import type { ListenerConfig } from '../config/types.js';
import { readPem } from './read-pem.js';
import { closeServer, listenServer, serverAddress } from './listen-server.js';
import type { ListenerHost, RunningListener } from './listener.js';

/** MQTT over TCP, or over TLS when `tls` is true (cert and key from the settings). */
export async function startMqttListener(
  host: ListenerHost,
  settings: ListenerConfig,
  tls: boolean,
): Promise<RunningListener> {
  const kind = tls ? 'mqtts' : 'mqtt';
  const onSocket = (socket: Socket): void => {
    socket.setNoDelay(true);
    const conn = host.accept(
      { ip: socket.remoteAddress ?? 'unknown', listener: kind, payload: settings.payload },
      socketSink(socket),
    );
    if (!conn) {
      socket.destroy();
      return;
    }
    socket.on('data', (chunk: Buffer) => conn.feed(chunk));
    socket.on('end', () => conn.peerEnded());
    socket.on('error', () => conn.destroy());
    socket.on('close', () => conn.destroy());
  };
  const tlsServer = tls
    ? createTlsServer({ cert: readPem(settings.cert), key: readPem(settings.key), ...(settings.ca ? { ca: readPem(settings.ca) } : {}) }, onSocket)
    : undefined;
  const server: Server = tlsServer ?? createNetServer(onSocket);
  // TLS handshake failures are the peer's problem; never let them surface as broker errors.
  server.on('tlsClientError', (_error: Error, socket: Socket) => socket.destroy());
  await listenServer(server, settings.host, settings.port, kind);
  return {
    kind,
    settings,
    address: () => serverAddress(server),
    close: () => closeServer(server),
    reloadTls: (next) =>
      tlsServer?.setSecureContext({ cert: readPem(next.cert), key: readPem(next.key), ...(next.ca ? { ca: readPem(next.ca) } : {}) }),
  };
}
