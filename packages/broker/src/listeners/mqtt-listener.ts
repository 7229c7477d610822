import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { socketSink } from '../connection/sinks.js';
import type { ListenerConfig } from '../config/types.js';
import { parseProxyHeader } from './proxy-protocol.js';
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
  const start = (socket: Socket, ip: string, rest: Buffer | undefined): void => {
    const conn = host.accept({ ip, listener: kind, payload: settings.payload }, socketSink(socket));
    if (!conn) {
      socket.destroy();
      return;
    }
    socket.on('data', (chunk: Buffer) => conn.feed(chunk));
    if (rest !== undefined && rest.length > 0) conn.feed(rest);
    socket.on('end', () => conn.peerEnded());
    socket.on('error', () => conn.destroy());
    socket.on('close', () => conn.destroy());
  };
  const onSocket = (socket: Socket): void => {
    socket.setNoDelay(true);
    const peer = socket.remoteAddress ?? 'unknown';
    // On TLS listeners the header would sit in front of the handshake, which node:tls reads
    // itself; PROXY protocol is supported on plain MQTT listeners (terminate TLS at the balancer).
    if (!host.proxyProtocol || tls) {
      start(socket, peer, undefined);
      return;
    }
    // The PROXY header comes first; until it is complete nothing reaches the MQTT side.
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), 5000);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const parsed = parseProxyHeader(buffered);
      if (parsed.state === 'incomplete') return;
      clearTimeout(timer);
      socket.off('data', onData);
      if (parsed.state === 'invalid') {
        socket.destroy();
        return;
      }
      start(socket, parsed.ip ?? peer, buffered.subarray(parsed.consumed));
    };
    socket.on('data', onData);
    socket.once('error', () => socket.destroy());
    socket.once('close', () => clearTimeout(timer));
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
    stop: () => void closeServer(server),
    close: () => closeServer(server),
    reloadTls: (next) =>
      tlsServer?.setSecureContext({ cert: readPem(next.cert), key: readPem(next.key), ...(next.ca ? { ca: readPem(next.ca) } : {}) }),
  };
}
