import type { AedesAsyncPersistence } from "@firehose/aedes";

// firehose: upstream ships no types. persistence.js is CommonJS (`module.exports = factory`): the
// factory takes ioredis options or `{ conn }` (an ioredis client) plus the store's own settings.
declare function aedesRedisPersistence(opts?: aedesRedisPersistence.Options): AedesAsyncPersistence;

declare namespace aedesRedisPersistence {
  export interface Options {
    /** An ioredis client (or cluster) to use instead of opening one. */
    conn?: unknown;
    /** How many queued packets a reconnecting session is sent at most. */
    maxSessionDelivery?: number;
    /** Seconds a stored packet lives, by QoS; 0 = forever. */
    packetTTL?: (packet: unknown) => number;
    [option: string]: unknown;
  }
}

export = aedesRedisPersistence;
