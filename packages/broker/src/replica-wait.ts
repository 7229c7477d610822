import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

/** The key the wait connection writes (INCR) before each WAIT, in the persistence database. */
const REPLICA_WAIT_KEY = 'firehose:replica-wait';

/** What the broker learns from each batch. */
interface ReplicaWaitEvents {
  /** PUBACKs sent without a replica holding their writes (no replica connected, or none within the wait). */
  unreplicated: [count: number];
  /** Publishes refused their PUBACK: a store connection reconnected after they arrived (a failover). */
  refused: [count: number, error: Error];
  /** Whether a replica confirmed the last batch; emitted when that changes. */
  replicated: [yes: boolean];
}

interface Pending {
  /** `#epoch` when the publish arrived, before any of its store writes. */
  epoch: number;
  done: (error?: Error | null) => void;
}

/**
 * Holds each QoS 1 PUBACK until a Redis replica has the store's writes behind it (`redis.replicaWait`;
 * docs/operating.md#what-a-node-kill-costs). Redis replicates asynchronously: without this a primary
 * SIGKILLed right after answering the store's writes took them along, and a message its publisher
 * had been acknowledged for was gone from the promoted replica.
 *
 * Once per event-loop turn, for every PUBACK pending then, this connection of its own writes one key
 * (`INCR firehose:replica-wait`) and sends `WAIT 1 <ms>`. The replication offset is the primary's,
 * not a connection's: a replica that has this write has every write the primary answered before it,
 * the store's included; and the WAIT blocks this connection only, never the store's. One batch at a
 * time: the PUBACKs pending meanwhile form the next, so each publisher's PUBACKs keep its order.
 *
 * A publish that arrived before the store's or this connection closed (a failover: its writes may
 * have been answered by the old primary and died with it, and a WAIT on the new one would not
 * vouch for them) gets no PUBACK: its connection ends and the publisher resends it, a duplicate at
 * worst. With no replica connected (`ROLE` lists none: after a failover until the old primary comes
 * back as a replica) or none within the wait, the PUBACK goes out anyway, counted as unreplicated:
 * the cluster stays available, and the message is on the primary only.
 */
export class ReplicaWait extends EventEmitter<ReplicaWaitEvents> {
  readonly #redis: Redis;
  readonly #timeoutMs: number;
  /** Closes seen on the store's and this connection. */
  #epoch = 0;
  readonly #arrived = new WeakMap<object, number>();
  #pending: Pending[] = [];
  #scheduled = false;
  /** The batch whose WAIT is in flight. */
  #current: Pending[] | undefined;
  #replicated: boolean | undefined;

  /**
   * `redis` is this class's own connection (the backend closes it; it must not resend commands
   * after a reconnect); `store` the persistence's, whose writes the WAIT vouches for.
   */
  constructor(redis: Redis, store: EventEmitter, timeoutMs: number) {
    super();
    this.#redis = redis;
    this.#timeoutMs = timeoutMs;
    for (const connection of [store, redis]) {
      // Only a connection that was ready can have had writes answered; the failed attempts of a
      // reconnect (the sentinels still name the dead primary) close too, and change nothing.
      let ready = false;
      connection.on('ready', () => (ready = true));
      connection.on('close', () => {
        if (!ready) return;
        ready = false;
        this.#epoch++;
        // Its WAIT can no longer vouch for the batch (and, not resent, would never be answered).
        const batch = this.#current;
        this.#current = undefined;
        if (batch) this.#settle(batch, 0, new Error('a Redis connection closed while waiting for a replica'));
      });
    }
  }

  /** A PUBLISH arrived (authorised), before any of its store writes. */
  arrived(packet: object): void {
    this.#arrived.set(packet, this.#epoch);
  }

  /** aedes' `acknowledgePublish`: `done()` sends the PUBACK, `done(error)` ends the connection. */
  readonly acknowledge = (_client: unknown, packet: object, done: (error?: Error | null) => void): void => {
    this.#pending.push({ epoch: this.#arrived.get(packet) ?? this.#epoch, done });
    this.#schedule();
  };

  #schedule(): void {
    if (this.#scheduled || this.#current !== undefined || this.#pending.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    this.#current = batch;
    let replicas = 0;
    let failure: Error | undefined;
    try {
      replicas = await this.#wait();
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    if (this.#current !== batch) return; // settled by a close meanwhile
    this.#current = undefined;
    this.#settle(batch, replicas, failure);
  }

  /** PUBACKs for the batch, or refusals; then the next batch. */
  #settle(batch: Pending[], replicas: number, failure: Error | undefined): void {
    const epoch = this.#epoch;
    let refused = 0;
    let unreplicated = 0;
    const refusal =
      failure ?? new Error('a Redis connection closed after this publish arrived (a failover?): resend it');
    for (const pending of batch) {
      if (failure !== undefined || pending.epoch !== epoch) {
        refused++;
        pending.done(refusal);
      } else {
        if (replicas === 0) unreplicated++;
        pending.done(null);
      }
    }
    if (refused > 0) this.emit('refused', refused, refusal);
    if (unreplicated > 0) this.emit('unreplicated', unreplicated);
    if (failure === undefined && replicas > 0 !== this.#replicated) {
      this.#replicated = replicas > 0;
      this.emit('replicated', this.#replicated);
    }
    this.#schedule();
  }

  /** How many replicas have every write answered so far: 0 when none is connected. */
  async #wait(): Promise<number> {
    const results = await this.#redis.pipeline().role().incr(REPLICA_WAIT_KEY).exec();
    for (const [error] of results ?? []) if (error) throw error;
    const role = results?.[0]?.[1] as [string, number, unknown[]] | undefined;
    if (role?.[0] !== 'master') throw new Error(`the Redis server is a ${role?.[0] ?? 'stranger'} now`);
    if (role[2].length === 0) return 0;
    return this.#redis.wait(1, this.#timeoutMs);
  }
}
