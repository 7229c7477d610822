import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { OutboundSink } from './connection.js';

/** Writes packets to a TCP or TLS socket, corked so one batch leaves in one syscall. */
export function socketSink(socket: Socket): OutboundSink {
  return {
    send(packets) {
      if (socket.destroyed) return;
      // One write per flush: copying a few small pieces is cheaper than a Writable call per piece.
      const parts = packets.length === 1 ? packets[0]! : packets.flat();
      socket.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    },
    queuedBytes: () => socket.writableLength,
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    destroy: () => socket.destroy(),
  };
}

/**
 * Sends each MQTT packet as exactly one WebSocket binary frame. ws' own `createWebSocketStream`
 * has no `_writev`, so aedes' piecewise writes became ~6 frames per PUBLISH (DESIGN §6).
 * `socket` is the upgraded connection under `ws`: corking it sends a batch's frames in one write.
 */
export function webSocketSink(ws: WebSocket, socket: Socket): OutboundSink {
  return {
    send(packets) {
      if (ws.readyState !== ws.OPEN) return;
      socket.cork();
      for (const parts of packets) {
        ws.send(parts.length === 1 ? parts[0]! : Buffer.concat(parts), { binary: true });
      }
      socket.uncork();
    },
    queuedBytes: () => ws.bufferedAmount,
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    destroy: () => ws.terminate(),
  };
}
