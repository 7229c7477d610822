import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import {
  createSecureContext,
  createServer as createTlsServer,
  TLSSocket,
  type SecureContextOptions,
} from 'node:tls';
import type { FirehoseConnection } from '../connection/connection.js';
import { socketSink } from '../connection/sinks.js';
import type { ListenerConfig } from '../config/types.js';
import { parseProxyHeader } from './proxy-protocol.js';
import { readPem } from './read-pem.js';
import { closeServer, listenServer, serverAddress } from './listen-server.js';
import type { ListenerHost, RunningListener } from './listener.js';

/** How long a PROXY header, and then a TLS handshake, may take before the socket is closed. */
const PROXY_HEADER_MS = 5000;
const TLS_HANDSHAKE_MS = 10_000;

// The socket's listeners are shared functions that find their connection on the socket: four
// closures per connection would cost every idle one a few hundred bytes.
const CONNECTION = Symbol('firehose connection');
type ConnectedSocket = Socket & { [CONNECTION]: FirehoseConnection };

function onData(this: ConnectedSocket, chunk: Buffer): void {
  this[CONNECTION].feed(chunk);
}

function onEnd(this: ConnectedSocket): void {
  this[CONNECTION].peerEnded();
}

function onGone(this: ConnectedSocket): void {
  this[CONNECTION].destroy();
}

function tlsOptions(settings: ListenerConfig): SecureContextOptions {
  return {
    cert: readPem(settings.cert),
    key: readPem(settings.key),
    ...(settings.ca ? { ca: readPem(settings.ca) } : {}),
  };
}

/**
 * MQTT over TCP, or over TLS when `tls` is true (cert and key from the settings). With
 * `trustProxy.proxyProtocol` every connection starts with a PROXY v1/v2 header; on a TLS listener
 * the header comes before the handshake (a TCP-mode balancer passing TLS through), so that
 * listener accepts plain TCP, reads the header and starts TLS on the same socket.
 */
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
    (socket as ConnectedSocket)[CONNECTION] = conn;
    socket.on('data', onData);
    if (rest !== undefined && rest.length > 0) conn.feed(rest);
    socket.on('end', onEnd);
    socket.on('error', onGone);
    socket.on('close', onGone);
  };
  let secureContext = tls && host.proxyProtocol ? createSecureContext(tlsOptions(settings)) : undefined;
  const startTls = (socket: Socket, ip: string, rest: Buffer): void => {
    // Bytes after the header are the ClientHello: put them back for TLSSocket, which replays a
    // wrapped socket's buffered bytes. Paused first, so unshift buffers them instead of emitting.
    socket.pause();
    if (rest.length > 0) socket.unshift(rest);
    const secure = new TLSSocket(socket, { isServer: true, secureContext });
    const timer = setTimeout(() => secure.destroy(), TLS_HANDSHAKE_MS);
    secure.once('secure', () => {
      clearTimeout(timer);
      start(secure, ip, undefined);
    });
    secure.once('error', () => secure.destroy());
    secure.once('close', () => {
      clearTimeout(timer);
      socket.destroy();
    });
  };
  const onSocket = (socket: Socket): void => {
    socket.setNoDelay(true);
    const peer = socket.remoteAddress ?? 'unknown';
    if (!host.proxyProtocol) {
      start(socket, peer, undefined);
      return;
    }
    // The PROXY header comes first; until it is complete nothing reaches the MQTT (or TLS) side.
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), PROXY_HEADER_MS);
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
      const rest = buffered.subarray(parsed.consumed);
      if (tls) startTls(socket, parsed.ip ?? peer, rest);
      else start(socket, parsed.ip ?? peer, rest);
    };
    socket.on('data', onData);
    socket.once('error', () => socket.destroy());
    socket.once('close', () => clearTimeout(timer));
  };
  const tlsServer = tls && !host.proxyProtocol ? createTlsServer(tlsOptions(settings), onSocket) : undefined;
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
    reloadTls: (next) => {
      if (tlsServer) tlsServer.setSecureContext(tlsOptions(next));
      else if (secureContext) secureContext = createSecureContext(tlsOptions(next));
    },
  };
}
