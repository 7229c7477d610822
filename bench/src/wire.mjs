// The load generators' MQTT 3.1.1 wire code: packets built once with mqtt-packet, inbound bytes
// read by a small scanner that only looks at what the bench needs (type, QoS, packet id, the send
// stamp). mqtt-packet's full parser would cost the load processes more CPU than the broker spends
// on a 200-byte message, and the load shares two cores with the broker being measured.
import { connect as netConnect } from 'node:net';
import mqttPacket from 'mqtt-packet';
import WebSocket from 'ws';

/** Marker and width of the send stamp in payloads: µs on CLOCK_MONOTONIC, one clock for all processes. */
export const STAMP = 'TS:';
export const STAMP_WIDTH = 16;
const STAMP_BYTES = Buffer.from(STAMP, 'latin1');

/** Microseconds on the monotonic clock (shared by every process on the machine). */
export function nowMicros() {
  const [s, ns] = process.hrtime();
  return s * 1e6 + Math.floor(ns / 1000);
}

/** A PUBLISH packet for `topic`/`payload` and where its stamp digits sit (-1: unstamped). */
export function publishTemplate(topic, payload, qos = 0) {
  const packet = mqttPacket.generate({
    cmd: 'publish',
    topic,
    payload,
    qos,
    messageId: qos > 0 ? 1 : undefined,
    retain: false,
    dup: false,
  });
  const at = packet.indexOf(STAMP_BYTES);
  const idAt = qos > 0 ? packet.length - payload.length - 2 : -1;
  return { packet, stampAt: at < 0 ? -1 : at + STAMP.length, idAt };
}

/** Writes the current time into a copy's stamp slot. */
export function stamp(buffer, stampAt, micros) {
  if (stampAt >= 0) buffer.write(String(micros).padStart(STAMP_WIDTH, '0'), stampAt, 'latin1');
}

/**
 * Splits a byte stream into MQTT packets and calls `onPacket(type, flags, buffer, start, end)` with
 * the packet's body bounds inside `buffer` (valid only during the call).
 */
class Scanner {
  #rest = null;

  constructor(onPacket) {
    this.onPacket = onPacket;
  }

  push(chunk) {
    let buf = chunk;
    if (this.#rest !== null) {
      buf = Buffer.concat([this.#rest, chunk]);
      this.#rest = null;
    }
    let offset = 0;
    const size = buf.length;
    while (offset < size) {
      if (size - offset < 2) break;
      let length = 0;
      let multiplier = 1;
      let pos = offset + 1;
      let complete = false;
      for (let i = 0; i < 4 && pos < size; i++) {
        const byte = buf[pos++];
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || pos + length > size) break;
      const first = buf[offset];
      this.onPacket(first >> 4, first & 0x0f, buf, pos, pos + length);
      offset = pos + length;
    }
    if (offset < size) this.#rest = buf.subarray(offset);
  }
}

/** The stamp inside a PUBLISH body (µs), or 0 when it has none. */
export function readStamp(buf, start, end) {
  const at = buf.indexOf(STAMP_BYTES, start);
  if (at < 0 || at + STAMP.length + STAMP_WIDTH > end) return 0;
  return Number(buf.toString('latin1', at + STAMP.length, at + STAMP.length + STAMP_WIDTH));
}

/** Packet id of a QoS > 0 PUBLISH body. */
export function publishId(buf, start) {
  const topicLength = buf.readUInt16BE(start);
  return buf.readUInt16BE(start + 2 + topicLength);
}

export function puback(id) {
  return Buffer.from([0x40, 2, id >> 8, id & 0xff]);
}

function connectPacket(clientId, options) {
  return mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    keepalive: 0,
    clientId,
    ...(options.username
      ? { username: options.username, password: Buffer.from(options.password ?? '') }
      : {}),
  });
}

/**
 * Opens an MQTT connection over TCP (`port`) or WebSocket (`url`), resolves after CONNACK 0.
 * Returns `{ write(buffer), writableLength(), pause(), resume(), close(), onPacket }`; assign
 * `onPacket` to receive later packets.
 */
export function openConnection({ port, url, clientId, username, password, localAddress }) {
  return new Promise((resolve, reject) => {
    let connected = false;
    const conn = {
      onPacket: () => {},
      onClose: () => {},
    };
    const scanner = new Scanner((type, flags, buf, start, end) => {
      if (!connected) {
        if (type !== 2 || buf[start + 1] !== 0) {
          reject(new Error(`${clientId}: connection refused (CONNACK code ${buf[start + 1]}).`));
          return;
        }
        connected = true;
        resolve(conn);
        return;
      }
      conn.onPacket(type, flags, buf, start, end);
    });
    const hello = connectPacket(clientId, { username, password });
    if (url) {
      const ws = new WebSocket(url, 'mqtt', { perMessageDeflate: false });
      ws.on('message', (data) => scanner.push(data));
      ws.once('open', () => ws.send(hello));
      ws.once('error', (error) => (connected ? undefined : reject(error)));
      ws.on('error', () => {});
      ws.once('close', () => conn.onClose());
      Object.assign(conn, {
        write: (buffer) => ws.send(buffer),
        writableLength: () => ws.bufferedAmount,
        pause: () => ws.pause(),
        resume: () => ws.resume(),
        close: () => ws.terminate(),
      });
    } else {
      const socket = netConnect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
      socket.setNoDelay(true);
      socket.on('data', (chunk) => scanner.push(chunk));
      socket.once('connect', () => socket.write(hello));
      socket.once('error', (error) => (connected ? undefined : reject(error)));
      socket.on('error', () => {});
      socket.once('close', () => {
        if (!connected) reject(new Error(`${clientId}: the broker closed the connection before CONNACK.`));
        conn.onClose();
      });
      Object.assign(conn, {
        socket,
        write: (buffer) => socket.write(buffer),
        writableLength: () => socket.writableLength,
        pause: () => socket.pause(),
        resume: () => socket.resume(),
        close: () => socket.destroy(),
      });
    }
  });
}

/** Subscribes `conn` to `filters` at `qos` and resolves on SUBACK. */
export function subscribe(conn, filters, qos, messageId = 1) {
  return new Promise((resolve, reject) => {
    const previous = conn.onPacket;
    conn.onPacket = (type, flags, buf, start, end) => {
      if (type === 9) {
        conn.onPacket = previous;
        for (let i = start + 2; i < end; i++) {
          if (buf[i] === 0x80) return reject(new Error(`subscription to ${filters.join(', ')} refused.`));
        }
        resolve();
        return;
      }
      previous(type, flags, buf, start, end);
    };
    conn.write(
      mqttPacket.generate({
        cmd: 'subscribe',
        messageId,
        subscriptions: filters.map((topic) => ({ topic, qos })),
      }),
    );
  });
}
