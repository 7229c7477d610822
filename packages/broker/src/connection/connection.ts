import { EventEmitter } from 'node:events';
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

/**
 * Where a connection reports; one object for all of a broker's connections (a closure per
 * connection and event would cost every idle one), so each call names its connection.
 */
export interface ConnectionEvents {
  /** An outbound message was dropped or the connection was closed by a limit. */
  onDrop(connection: FirehoseConnection, reason: DropReason, bytes: number): void;
  onBytesIn(bytes: number): void;
  onBytesOut(bytes: number, publishes: number): void;
}

/** Above this many unsent bytes a batch leaves at once instead of at the next check phase. */
const BATCH_BYTES = 256 * 1024;

/**
 * Nearly every chunk holds whole packets, so a scanner has nothing to remember between chunks. The
 * connections share one scanner per direction and hold their own only while a packet is split
 * across chunks: an idle connection holds none (two objects fewer on each of 10,000).
 */
class SharedScanner {
  readonly scanner = new PacketScanner();
  /** Set during a scan; a nested scan (a handler that reached another connection) gets its own. */
  busy = false;
}
const sharedIn = new SharedScanner();
const sharedOut = new SharedScanner();

/** Above this many inbound bytes that aedes has not read yet, the peer's socket is paused. */
const READ_PAUSE_BYTES = 64 * 1024;

// EventEmitter's own listener table (`{ __proto__: null }`) is a dictionary of ~180 bytes; an
// object whose prototype has no prototype stays in V8's fast mode and has no inherited names.
const LISTENERS = Object.create(null) as object;

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
 *
 * It is not a Duplex: aedes uses only `read()`, `write()`, `cork()`, `uncork()`, `destroy()`,
 * `destroyed`, `writableNeedDrain` and the events `readable`, `end`, `error`, `close` (and `drain`,
 * which never comes: writes never wait). A Duplex's two stream states, its buffers and the second
 * pass of every inbound chunk through Readable's machinery cost every connection memory and every
 * packet CPU, for behaviour this class does not use.
 */
export class FirehoseConnection extends EventEmitter {
  readonly info: ConnectionInfo;
  readonly #sink: OutboundSink;
  readonly #limits: ConnectionLimits;
  readonly #events: ConnectionEvents;
  /** Only while a packet is split across chunks (see SharedScanner). */
  #inScanner: PacketScanner | undefined;
  #outScanner: PacketScanner | undefined;
  #packets = 0;
  // Inbound bytes not read by aedes yet: one chunk, or several (allocated when needed).
  #inChunk: Buffer | undefined;
  #inChunks: Buffer[] | undefined;
  #inBytes = 0;
  #readableScheduled = false;
  #peerEnded = false;
  #endEmitted = false;
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
  /** Set by destroy(): aedes reads it as a stream's `destroyed`. */
  destroyed = false;
  /** Writes never wait (see the class doc); aedes' shared subscriptions read this. */
  readonly writableNeedDrain = false;

  constructor(sink: OutboundSink, info: ConnectionInfo, limits: ConnectionLimits, events: ConnectionEvents) {
    super();
    (this as unknown as { _events: object })._events = Object.create(LISTENERS) as object;
    this.#sink = sink;
    this.info = info;
    this.#limits = limits;
    this.#events = events;
  }

  /** Bytes from the peer. */
  feed(chunk: Buffer): void {
    if (this.#dead) return;
    this.#events.onBytesIn(chunk.length);
    const ok = this.#scanInbound(chunk);
    if (!ok) {
      if (!this.#dead) this.fail('malformed', chunk.length);
      return;
    }
    const bytes = chunk.length;
    if (bytes === 0) return;
    if (this.#inChunk === undefined) this.#inChunk = chunk;
    else (this.#inChunks ??= [this.#inChunk]).push(chunk);
    this.#inBytes += bytes;
    if (this.#inBytes >= READ_PAUSE_BYTES && !this.#paused) {
      this.#paused = true;
      this.#sink.pause();
    }
    this.#scheduleReadable();
  }

  /** What the peer sent and aedes has not read yet, all of it; null when there is none. */
  read(): Buffer | null {
    const chunk = this.#inChunk;
    if (chunk === undefined) return null;
    const chunks = this.#inChunks;
    const out = chunks === undefined ? chunk : Buffer.concat(chunks, this.#inBytes);
    this.#inChunk = undefined;
    this.#inChunks = undefined;
    this.#inBytes = 0;
    if (this.#paused) {
      this.#paused = false;
      this.#sink.resume();
    }
    if (this.#peerEnded) this.#scheduleReadable();
    return out;
  }

  // As a Readable does: 'readable' once per tick while there is something to read, and 'end' once
  // the peer has ended and everything before it was read.
  #scheduleReadable(): void {
    if (this.#readableScheduled) return;
    this.#readableScheduled = true;
    process.nextTick(FirehoseConnection.#emitReadable, this);
  }

  static #emitReadable(connection: FirehoseConnection): void {
    connection.#readableScheduled = false;
    if (connection.destroyed) return;
    if (connection.#inChunk !== undefined) {
      connection.emit('readable');
      return;
    }
    if (connection.#peerEnded && !connection.#endEmitted) {
      connection.#endEmitted = true;
      connection.emit('end');
      // A Duplex without half-open: the peer's end ends this side too.
      connection.destroy();
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
    if (this.#dead || this.#peerEnded) return;
    this.#peerEnded = true;
    this.#scheduleReadable();
  }

  /** Closes the connection because of a limit, counting the reason. */
  fail(reason: DropReason, bytes: number): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#events.onDrop(this, reason, bytes);
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

  /**
   * aedes (through mqtt-packet's writeToStream) corks, writes a packet in several pieces and
   * uncorks on the next tick. The pieces are taken synchronously, with one queue (the sink's), and
   * `write()` never returns false.
   */
  write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
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

  cork(): void {
    this.#corked++;
  }

  uncork(): void {
    if (this.#corked > 0 && --this.#corked === 0) this.#scheduleFlush();
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
      this.#events.onDrop(this, 'queue_soft', size);
      return true;
    }
    this.#outSize = size;
    this.#outPublish = type === PACKET_PUBLISH;
    this.#outConnack = type === PACKET_CONNACK;
    this.#outBytes += size;
    return true;
  }

  #scanInbound(chunk: Uint8Array): boolean {
    const own = this.#inScanner;
    if (own !== undefined) {
      const ok = own.scan(chunk, this, FirehoseConnection.#checkInbound);
      if (own.atBoundary()) this.#inScanner = undefined;
      return ok;
    }
    if (sharedIn.busy) {
      this.#inScanner = new PacketScanner();
      return this.#scanInbound(chunk);
    }
    const shared = sharedIn.scanner;
    sharedIn.busy = true;
    const ok = shared.scan(chunk, this, FirehoseConnection.#checkInbound);
    sharedIn.busy = false;
    if (!shared.atBoundary()) {
      if (ok) this.#inScanner = shared.detach();
      else shared.reset();
    }
    return ok;
  }

  #outbound(chunk: Uint8Array): void {
    const own = this.#outScanner;
    if (own !== undefined) {
      // Kept until the flush: aedes writes each packet in pieces, so most writes end mid-packet.
      own.scan(chunk, this, FirehoseConnection.#checkOutbound, FirehoseConnection.#onPart);
      return;
    }
    if (sharedOut.busy) {
      this.#outScanner = new PacketScanner();
      this.#outbound(chunk);
      return;
    }
    const shared = sharedOut.scanner;
    sharedOut.busy = true;
    const ok = shared.scan(chunk, this, FirehoseConnection.#checkOutbound, FirehoseConnection.#onPart);
    sharedOut.busy = false;
    if (!shared.atBoundary()) {
      if (ok) this.#outScanner = shared.detach();
      else shared.reset();
    }
  }

  #flush(): void {
    // One scanner allocated per batch at most, not per packet; an idle connection keeps none.
    if (this.#outScanner?.atBoundary()) this.#outScanner = undefined;
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

  /**
   * Closes the connection: what aedes wrote still goes out (it destroys right after writing a
   * refusing CONNACK), then 'error' (with `error`) and 'close' on the next tick, as a stream does.
   */
  destroy(error?: Error | null): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.#flush();
    this.#dead = true;
    this.#inChunk = undefined;
    this.#inChunks = undefined;
    this.#sink.destroy();
    process.nextTick(FirehoseConnection.#emitClose, this, error ?? undefined);
    return this;
  }

  static #emitClose(connection: FirehoseConnection, error: Error | undefined): void {
    // A stream's unheard 'error' would be thrown; aedes listens until it closes the client.
    if (error !== undefined && connection.listenerCount('error') > 0) connection.emit('error', error);
    connection.emit('close');
  }
}
