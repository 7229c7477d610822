/**
 * Incremental scanner for MQTT fixed headers [MQTT-2.2]. It follows packet boundaries in a byte
 * stream without buffering packet bodies: for each packet it reports the type, flags and declared
 * remaining length as soon as the fixed header is complete, then skips the body.
 */
export interface PacketHeader {
  /** Control packet type, 1..14 [MQTT-2.2.1]. */
  type: number;
  /** The low four bits of the first byte (for PUBLISH: DUP, QoS, RETAIN). */
  flags: number;
  /** Remaining length declared by the header. */
  length: number;
  /** Size of the fixed header itself (2..5 bytes). */
  headerBytes: number;
}

export const PACKET_PUBLISH = 3;
export const PACKET_CONNECT = 1;
export const PACKET_CONNACK = 2;

/** Largest remaining length a 4-byte variable integer can express [MQTT-2.2.3]. */
export const MAX_REMAINING_LENGTH = 268_435_455;

export class PacketScanner {
  #header: number[] = [];
  #bodyLeft = 0;
  #inBody = false;

  /**
   * Feeds a chunk. `onHeader` runs at each complete fixed header and returns false to stop the
   * scan (the caller then closes the stream); `onPart` receives each slice of the chunk tagged with
   * whether it starts a new packet (header bytes, as a copy) or continues one.
   * Returns false when the stream is malformed or a callback stopped it.
   */
  scan(
    chunk: Uint8Array,
    onHeader: (header: PacketHeader) => boolean,
    onPart?: (part: Uint8Array, end: boolean) => void,
  ): boolean {
    let offset = 0;
    const size = chunk.length;
    while (offset < size) {
      if (this.#inBody) {
        const take = Math.min(this.#bodyLeft, size - offset);
        this.#bodyLeft -= take;
        const end = this.#bodyLeft === 0;
        if (onPart) onPart(offset === 0 && take === size ? chunk : chunk.subarray(offset, offset + take), end);
        offset += take;
        if (end) this.#inBody = false;
        continue;
      }
      const byte = chunk[offset++]!;
      const header = this.#header;
      header.push(byte);
      // header[0] is the type byte; the following bytes are the variable-length integer.
      if (header.length === 1) continue;
      if ((byte & 0x80) !== 0) {
        // A fifth length byte is malformed [MQTT-2.2.3].
        if (header.length >= 5) return false;
        continue;
      }
      let length = 0;
      let multiplier = 1;
      for (let i = 1; i < header.length; i++) {
        length += (header[i]! & 0x7f) * multiplier;
        multiplier *= 128;
      }
      const first = header[0]!;
      const parsed: PacketHeader = { type: first >> 4, flags: first & 0x0f, length, headerBytes: header.length };
      this.#header = [];
      if (!onHeader(parsed)) return false;
      if (onPart) onPart(Uint8Array.from(header), length === 0);
      if (length > 0) {
        this.#inBody = true;
        this.#bodyLeft = length;
      }
    }
    return true;
  }
}
