/**
 * Incremental scanner for MQTT fixed headers [MQTT-2.2]. It follows packet boundaries in a byte
 * stream without buffering packet bodies: for each packet it reports the type, flags and declared
 * remaining length as soon as the fixed header is complete, then skips the body. Allocation-free
 * per packet: it runs on every inbound chunk and every outbound write.
 */
export const PACKET_CONNECT = 1;
export const PACKET_CONNACK = 2;
export const PACKET_PUBLISH = 3;

/**
 * Called at each complete fixed header with the packet type (1..14), the first byte's low four
 * bits (PUBLISH: DUP, QoS, RETAIN), the declared remaining length and the header's own size.
 * Returns false to stop the scan.
 */
export type HeaderHandler<T> = (
  this: T,
  type: number,
  flags: number,
  length: number,
  headerBytes: number,
) => boolean;

/** Receives consecutive slices of the stream; `end` marks the last slice of a packet. */
export type PartHandler<T> = (this: T, part: Uint8Array, end: boolean) => void;

export class PacketScanner {
  #first = 0;
  #headerBytes = 0;
  #length = 0;
  #multiplier = 1;
  #bodyLeft = 0;

  /** Whether the stream is between packets: nothing of a packet seen yet, no state to keep. */
  atBoundary(): boolean {
    return this.#headerBytes === 0 && this.#bodyLeft === 0;
  }

  /** Moves this scanner's mid-packet state into a new scanner and leaves this one at a boundary. */
  detach(): PacketScanner {
    const copy = new PacketScanner();
    copy.#first = this.#first;
    copy.#headerBytes = this.#headerBytes;
    copy.#length = this.#length;
    copy.#multiplier = this.#multiplier;
    copy.#bodyLeft = this.#bodyLeft;
    this.reset();
    return copy;
  }

  /** Forgets any partial packet (after a malformed stream, whose state means nothing). */
  reset(): void {
    this.#headerBytes = 0;
    this.#bodyLeft = 0;
  }

  /**
   * Feeds a chunk. Returns false when the stream is malformed or `onHeader` stopped it. The
   * handlers are called with `target` as `this`, so one shared function serves every connection
   * (a closure per connection costs memory on every idle one).
   */
  scan<T>(chunk: Uint8Array, target: T, onHeader: HeaderHandler<T>, onPart?: PartHandler<T>): boolean {
    // No closures or objects per call: this runs for every piece aedes writes of every delivery.
    const size = chunk.length;
    let offset = 0;
    let start = 0;
    while (offset < size) {
      if (this.#bodyLeft > 0) {
        const take = Math.min(this.#bodyLeft, size - offset);
        offset += take;
        this.#bodyLeft -= take;
        if (this.#bodyLeft === 0 && onPart !== undefined && offset > start) {
          onPart.call(target, start === 0 && offset === size ? chunk : chunk.subarray(start, offset), true);
          start = offset;
        }
        continue;
      }
      const byte = chunk[offset++]!;
      if (this.#headerBytes === 0) {
        this.#first = byte;
        this.#headerBytes = 1;
        this.#length = 0;
        this.#multiplier = 1;
        continue;
      }
      this.#headerBytes++;
      this.#length += (byte & 0x7f) * this.#multiplier;
      this.#multiplier *= 128;
      if ((byte & 0x80) !== 0) {
        // A fifth length byte is malformed [MQTT-2.2.3].
        if (this.#headerBytes >= 5) return false;
        continue;
      }
      const headerBytes = this.#headerBytes;
      this.#headerBytes = 0;
      if (!onHeader.call(target, this.#first >> 4, this.#first & 0x0f, this.#length, headerBytes))
        return false;
      if (this.#length === 0) {
        if (onPart !== undefined && offset > start) {
          onPart.call(target, start === 0 && offset === size ? chunk : chunk.subarray(start, offset), true);
          start = offset;
        }
      } else this.#bodyLeft = this.#length;
    }
    if (onPart !== undefined && size > start)
      onPart.call(target, start === 0 ? chunk : chunk.subarray(start, size), false);
    return true;
  }
}
