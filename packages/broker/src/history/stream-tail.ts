import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { LiveHub } from './live-hub.js';
import { entryFields } from './stream-entry.js';
import { streamIdToSeq } from './stream-id.js';

/** Entries one XREAD returns at most. */
const COUNT = 1000;
/** How long one XREAD blocks waiting for an entry (ms); the loop then asks again. */
const BLOCK_MS = 5000;
/** Pause before asking again after a failed XREAD (redis unreachable: RedisLink reports it). */
const RETRY_MS = 500;

/**
 * Follows the cluster's history stream for this node's `/v1/stream` readers
 * (docs/architecture.md#cluster-history): every entry, in stream order, is published on the live
 * hub with its sequence number. It always asks for what comes after the last id it has seen
 * (`XREAD BLOCK … <last id>`), never from `$`: an entry added while it was between two reads, or
 * while redis was away, is read next time instead of being skipped.
 */
export class StreamTail {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #hub: LiveHub;
  readonly #logger: Logger;
  #lastId = '0-0';
  #lastSeq = 0n;
  #closed = false;
  #running: Promise<void> | undefined;

  constructor(redis: Redis, key: string, hub: LiveHub, logger: Logger) {
    this.#redis = redis;
    this.#key = key;
    this.#hub = hub;
    this.#logger = logger;
  }

  /** The sequence number of the last entry published on the hub (the stream's newest at start). */
  get lastSeq(): bigint {
    return this.#lastSeq;
  }

  /** Starts after the stream's newest entry: readers get older ones from the store itself. */
  async start(): Promise<void> {
    const [newest] = await this.#redis.xrevrangeBuffer(this.#key, '+', '-', 'COUNT', 1);
    if (newest !== undefined) this.#advance(newest[0].toString());
    this.#running = this.#loop();
  }

  #advance(id: string): bigint | undefined {
    const seq = streamIdToSeq(id);
    this.#lastId = id;
    if (seq !== undefined) this.#lastSeq = seq;
    return seq;
  }

  async #loop(): Promise<void> {
    while (!this.#closed) {
      let reply;
      try {
        reply = await this.#redis.xreadBuffer(
          'COUNT',
          COUNT,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          this.#key,
          this.#lastId,
        );
      } catch (error) {
        if (this.#closed) return;
        this.#logger.debug({ err: error }, 'history stream tail: read failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      if (reply === null) continue;
      for (const [, entries] of reply) {
        for (const [id, fields] of entries) {
          const seq = this.#advance(id.toString());
          const entry = entryFields(fields);
          // An id past 63 bits (a clock far in the future) cannot be a cursor: skipped, not streamed.
          if (seq !== undefined && entry !== undefined) this.#hub.publish(seq, entry.topic, entry.payload);
        }
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#redis.disconnect();
    await this.#running;
  }
}
