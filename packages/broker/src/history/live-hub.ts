/** One accepted event, as live stream readers get it, with its envelope parsed at most once. */
export class LiveEvent {
  readonly seq: bigint;
  readonly topic: string;
  readonly payload: Buffer;
  #text: string | undefined;
  #event: Record<string, unknown> | null | undefined;

  constructor(seq: bigint, topic: string, payload: Buffer) {
    this.seq = seq;
    this.topic = topic;
    this.payload = payload;
  }

  get text(): string {
    return (this.#text ??= this.payload.toString('utf8'));
  }

  /** The envelope; null when the payload is not a JSON object (such events are not archived either). */
  get event(): Record<string, unknown> | null {
    if (this.#event === undefined) {
      try {
        const value: unknown = JSON.parse(this.text);
        this.#event =
          value !== null && typeof value === 'object' && !Array.isArray(value)
            ? (value as Record<string, unknown>)
            : null;
      } catch {
        this.#event = null;
      }
    }
    return this.#event;
  }
}

/** A live reader: gets every accepted event synchronously, in sequence order. */
export interface LiveReader {
  deliver(event: LiveEvent): void;
}

/**
 * Fans accepted events out to `/v1/stream` readers in the step that numbers them, so a reader that
 * joins at sequence H gets exactly the events after H live (docs/architecture.md#history).
 */
export class LiveHub {
  readonly #readers = new Set<LiveReader>();

  get size(): number {
    return this.#readers.size;
  }

  add(reader: LiveReader): void {
    this.#readers.add(reader);
  }

  delete(reader: LiveReader): void {
    this.#readers.delete(reader);
  }

  publish(seq: bigint, topic: string, payload: Buffer): void {
    if (this.#readers.size === 0) return;
    const event = new LiveEvent(seq, topic, payload);
    for (const reader of this.#readers) reader.deliver(event);
  }
}
