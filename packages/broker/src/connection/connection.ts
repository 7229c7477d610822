import { Duplex } from 'node:stream';
import { PACKET_CONNACK, PACKET_CONNECT, PACKET_PUBLISH, PacketScanner } from './packet-scanner.js';

/** Why the broker dropped an outbound message or closed a connection. */
export type DropReason = 'queue_soft' | 'queue_hard' | 'packet_too_large' | 'malformed';

/** One complete outbound MQTT packet, as the pieces aedes wrote it in. */
export interface OutboundPacket {
  readonly parts: readonly Uint8Array[];
  /** Total bytes of the parts. */
  readonly size: number;
  readonly publish: boolean;
}

/** Where a connection's bytes go: a TCP/TLS socket or a WebSocket. */
export interface OutboundSink {
  /** Sends complete MQTT packets; `bytes` is the sum of their sizes. */
  send(packets: readonly OutboundPacket[], bytes: number): void;
  /** Bytes accepted by the sink but not yet handed to the kernel/peer. */
  queuedBytes(): number;
  pause(): void;
  resume(): void;
  destroy(): void;
}

export interface ConnectionLimits {
  /** Largest remaining length accepted for any inbound packet. */
  maxPacketBytes: number;
  /** Largest remaining length accepted for the CONNECT packet (checked before authentication). */
  maxConnectBytes: number;
  /** Above this many queued outbound bytes, QoS 0 PUBLISH packets are dropped. */
  queueSoftBytes: number;
  /** Above this many queued outbound bytes, the connection is closed. */
  queueHardBytes: number;
}

/** Facts about the peer, fixed for the connection's life. */
export interface ConnectionInfo {
  /** Remote address (after PROXY protocol / X-Forwarded-For when trusted). */
  ip: string;
  /** Listener name, e.g. `mqtt`, `ws`. */
  listener: string;
  /** `data` for the compatibility listener that delivers only the envelope's `data`. */
  payload: 'envelope' | 'data';
}

export interface ConnectionEvents {
  /** An outbound message was dropped or the connection was closed by a limit. */
  onDrop(reason: DropReason, bytes: number): void;
  onBytesIn(bytes: number): void;
  onBytesOut(bytes: number, publishes: number): void;
}

/** Above this many unsent bytes a batch leaves at once instead of at the next check phase. */
const BATCH_BYTES = 256 * 1024;

/**
 * The stream aedes reads from and writes to, between it and the real socket. It does what
 * aedes 1.2.0 cannot do itself (docs/architecture.md#decisions):
 * - inbound, it enforces the packet size from the fixed header before any body is buffered
 *   (aedes' parser has no limit);
 * - outbound, it never signals backpressure to aedes (one unread socket would otherwise stall
 *   delivery to every subscriber, aedes #1060). It queues in the sink instead, drops QoS 0
 *   PUBLISH above a soft cap and closes the connection above a hard cap;
 * - outbound, it batches: aedes writes each delivery in its own setImmediate, which costs bare
 *   aedes one write syscall per message per subscriber. Packets collect until the event loop's
 *   next check phase (or BATCH_BYTES) and leave in one write.
 */
export class FirehoseConnection extends Duplex {
  readonly info: ConnectionInfo;
  readonly #sink: OutboundSink;
  readonly #limits: ConnectionLimits;
  readonly #events: ConnectionEvents;
  readonly #inScanner = new PacketScanner();
  readonly #outScanner = new PacketScanner();
  #packets = 0;
  // The arrays below are allocated when first needed and dropped when empty: an idle connection
  // (most of them, at 10,000 connections) holds none.
  #outParts: Uint8Array[] | undefined;
  #outSize = 0;
  #outPublish = false;
  #outConnack = false;
  #connackSent = false;
  /** PUBLISH packets aedes wrote before CONNACK (see #outbound). */
  #held: OutboundPacket[] | undefined;
  #outBytes = 0;
  #outDrop = false;
  #ready: OutboundPacket[] | undefined;
  #paused = false;
  #corked = 0;
  #flushScheduled = false;
  #dead = false;

  constructor(sink: OutboundSink, info: ConnectionInfo, limits: ConnectionLimits, events: ConnectionEvents) {
    // A writable buffer that never fills: aedes must never wait for a drain (see class doc).
    super({ writableHighWaterMark: 2 ** 30, readableHighWaterMark: 64 * 1024, allowHalfOpen: false });
    this.#sink = sink;
    this.info = info;
    this.#limits = limits;
    this.#events = events;
  }

  /** Bytes from the peer. */
  feed(chunk: Uint8Array): void {
    if (this.#dead) return;
    this.#events.onBytesIn(chunk.length);
    const ok = this.#inScanner.scan(chunk, this, FirehoseConnection.#checkInbound);
    if (!ok) {
      if (!this.#dead) this.fail('malformed', chunk.length);
      return;
    }
    if (!this.push(chunk) && !this.#paused) {
      this.#paused = true;
      this.#sink.pause();
    }
  }

  /** Outbound bytes not yet handed to the kernel/peer (graceful shutdown waits for these). */
  pendingBytes(): number {
    return this.#dead ? 0 : this.#sink.queuedBytes() + this.#outBytes;
  }

  /** Whether this connection can take another message now: open and queued bytes within the soft cap. */
  canTakeMore(): boolean {
    return !this.#dead && this.#sink.queuedBytes() + this.#outBytes <= this.#limits.queueSoftBytes;
  }

  /** The peer went away. */
  peerEnded(): void {
    if (!this.#dead) this.push(null);
  }

  /** Closes the connection because of a limit, counting the reason. */
  fail(reason: DropReason, bytes: number): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#events.onDrop(reason, bytes);
    this.destroy();
  }

  // The scanner callbacks are static (called with the connection as `this`), not arrow-function
  // fields: a field is one closure per connection, a static method one function for all.
  static #checkInbound(this: FirehoseConnection, type: number, _flags: number, length: number): boolean {
    const first = this.#packets++ === 0;
    // [MQTT-3.1.0-1] the first packet must be CONNECT; the size is checked before the body arrives.
    if (first && type !== PACKET_CONNECT) return false;
    const max = first ? this.#limits.maxConnectBytes : this.#limits.maxPacketBytes;
    if (length > max) {
      this.fail('packet_too_large', length);
      return false;
    }
    return true;
  }

  override _read(): void {
    if (this.#paused) {
      this.#paused = false;
      this.#sink.resume();
    }
  }

  /**
   * aedes (through mqtt-packet's writeToStream) corks, writes a packet in several pieces and
   * uncorks on the next tick. These overrides take the pieces synchronously, without the Writable
   * machinery: one queue (the sink's) instead of two, and `write()` never returns false.
   */
  override write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    if (this.#dead) return true;
    // mqtt-packet writes topics as strings; Writable would have encoded them.
    this.#outbound(
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : (chunk as Uint8Array),
    );
    if (this.#corked === 0) this.#scheduleFlush();
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(done as () => void);
    return true;
  }

  override cork(): void {
    this.#corked++;
  }

  override uncork(): void {
    if (this.#corked > 0 && --this.#corked === 0) this.#scheduleFlush();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#outbound(chunk);
    this.#scheduleFlush();
    callback();
  }

  #scheduleFlush(): void {
    if (this.#outBytes >= BATCH_BYTES) {
      this.#flush();
    } else if (!this.#flushScheduled && this.#ready !== undefined) {
      this.#flushScheduled = true;
      setImmediate(FirehoseConnection.#scheduledFlush, this);
    }
  }

  static #scheduledFlush(connection: FirehoseConnection): void {
    connection.#flushScheduled = false;
    connection.#flush();
  }

  static #onPart(this: FirehoseConnection, part: Uint8Array, end: boolean): void {
    if (!this.#outDrop) (this.#outParts ??= []).push(part);
    if (!end) return;
    if (!this.#outDrop) {
      const packet: OutboundPacket = {
        parts: this.#outParts ?? [],
        size: this.#outSize,
        publish: this.#outPublish,
      };
      // aedes restores a persistent session's subscriptions before it writes CONNACK, so a live
      // message can be written first; the Server's first packet must be CONNACK [MQTT-3.2.0-1]
      // (MQTT.js stalls otherwise), so such messages wait for it here.
      if (this.#outConnack) {
        this.#connackSent = true;
        (this.#ready ??= []).push(packet, ...(this.#held ?? []));
        this.#held = undefined;
      } else if (!this.#connackSent && this.#outPublish) {
        (this.#held ??= []).push(packet);
      } else {
        (this.#ready ??= []).push(packet);
      }
    }
    this.#outParts = undefined;
    this.#outDrop = false;
  }

  static #checkOutbound(
    this: FirehoseConnection,
    type: number,
    flags: number,
    length: number,
    headerBytes: number,
  ): boolean {
    const size = length + headerBytes;
    const queued = this.#sink.queuedBytes() + this.#outBytes;
    if (queued + size > this.#limits.queueHardBytes) {
      this.#outDrop = true;
      this.#outParts = undefined;
      // Closing (not only dropping) keeps QoS 1/2 semantics: the session redelivers later.
      queueMicrotask(() => this.fail('queue_hard', size));
      return true;
    }
    if (type === PACKET_PUBLISH && (flags & 0x06) === 0 && queued > this.#limits.queueSoftBytes) {
      this.#outDrop = true;
      this.#outParts = undefined;
      this.#events.onDrop('queue_soft', size);
      return true;
    }
    this.#outSize = size;
    this.#outPublish = type === PACKET_PUBLISH;
    this.#outConnack = type === PACKET_CONNACK;
    this.#outBytes += size;
    return true;
  }

  #outbound(chunk: Uint8Array): void {
    this.#outScanner.scan(chunk, this, FirehoseConnection.#checkOutbound, FirehoseConnection.#onPart);
  }

  #flush(): void {
    const ready = this.#ready;
    if (ready === undefined) return;
    this.#ready = undefined;
    let sent = 0;
    let publishes = 0;
    for (const packet of ready) {
      sent += packet.size;
      if (packet.publish) publishes++;
    }
    this.#outBytes -= sent;
    if (this.#dead) return;
    this.#events.onBytesOut(sent, publishes);
    this.#sink.send(ready, sent);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#flush();
    this.#sink.destroy();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // aedes destroys right after writing a refusing CONNACK: what it wrote still goes out.
    this.#flush();
    this.#dead = true;
    this.#sink.destroy();
    callback(error);
  }
}
