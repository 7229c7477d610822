import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { OutboundSink } from './connection.js';

/** Writes packets to a TCP or TLS socket, corked so one batch leaves in one syscall. */
export function socketSink(socket: Socket): OutboundSink {
  return {
    send(packets, bytes) {
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
    },
    queuedBytes: () => socket.writableLength,
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    destroy: () => socket.destroy(),
  };
}

/**
 * Sends each MQTT packet as exactly one WebSocket binary frame. ws' own `createWebSocketStream`
 * has no `_writev`, so aedes' piecewise writes became ~6 frames per PUBLISH (docs/architecture.md#decisions).
 * `socket` is the upgraded connection under `ws`: corking it sends a batch's frames in one write.
 */
export function webSocketSink(ws: WebSocket, socket: Socket): OutboundSink {
  return {
    send(packets) {
      if (ws.readyState !== ws.OPEN) return;
      socket.cork();
      for (const { parts, size } of packets) {
        ws.send(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size), { binary: true });
      }
      socket.uncork();
    },
    queuedBytes: () => ws.bufferedAmount,
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    destroy: () => ws.terminate(),
  };
}
