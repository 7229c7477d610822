import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { OutboundPacket, OutboundSink } from './connection.js';

// Classes, not object literals of closures: one sink per connection, and its methods live once on
// the prototype instead of five closures on every idle connection.

/** Writes packets to a TCP or TLS socket, corked so one batch leaves in one syscall. */
class SocketSink implements OutboundSink {
  readonly #socket: Socket;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  send(packets: readonly OutboundPacket[], bytes: number): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    const only = packets.length === 1 && packets[0]!.parts.length === 1 ? packets[0]!.parts[0]! : undefined;
    if (only !== undefined) {
      socket.write(only);
      return;
    }
    // One write per flush: copying the pieces into one buffer is cheaper than a Writable call per
    // piece (and than Buffer.concat over a flattened array).
    const out = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (const packet of packets) {
      for (const part of packet.parts) {
        out.set(part, at);
        at += part.length;
      }
    }
    socket.write(at === bytes ? out : out.subarray(0, at));
  }

  queuedBytes(): number {
    return this.#socket.writableLength;
  }

  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    this.#socket.resume();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** Writes packets to a TCP or TLS socket, corked so one batch leaves in one syscall. */
export function socketSink(socket: Socket): OutboundSink {
  return new SocketSink(socket);
}

/**
 * Sends each MQTT packet as exactly one WebSocket binary frame. ws' own `createWebSocketStream`
 * has no `_writev`, so aedes' piecewise writes became ~6 frames per PUBLISH (docs/architecture.md#decisions).
 */
class WebSocketSink implements OutboundSink {
  readonly #ws: WebSocket;
  readonly #socket: Socket;

  constructor(ws: WebSocket, socket: Socket) {
    this.#ws = ws;
    this.#socket = socket;
  }

  send(packets: readonly OutboundPacket[]): void {
    const ws = this.#ws;
    if (ws.readyState !== ws.OPEN) return;
    this.#socket.cork();
    for (const { parts, size } of packets) {
      ws.send(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size), { binary: true });
    }
    this.#socket.uncork();
  }

  queuedBytes(): number {
    return this.#ws.bufferedAmount;
  }

  pause(): void {
    this.#ws.pause();
  }

  resume(): void {
    this.#ws.resume();
  }

  destroy(): void {
    this.#ws.terminate();
  }
}

/**
 * The sink for a WebSocket connection. `socket` is the upgraded connection under `ws`: corking it
 * sends a batch's frames in one write.
 */
export function webSocketSink(ws: WebSocket, socket: Socket): OutboundSink {
  return new WebSocketSink(ws, socket);
}
