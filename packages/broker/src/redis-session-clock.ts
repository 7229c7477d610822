import type { Redis } from 'ioredis';

/** Field: client id; value: when that persistent session was last seen connected (ms). */
const LAST_CONNECTED = 'firehose:sessions:last-connected';
/** aedes-persistence-redis 11.2's set of the client ids that have stored subscriptions. */
const STORED_SESSIONS = 'clients';

/**
 * Claims one expired session: removes its clock entry only if it still holds the value the sweep
 * read (a reconnect meanwhile refreshed it), then says whether the session is still stored (a
 * clean session may have replaced it; then there is nothing to expire).
 */
const CLAIM = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return redis.call('SISMEMBER', KEYS[2], ARGV[1])`;

/**
 * When each persistent session of a redis cluster was last connected, kept in redis itself so it
 * survives any node's restart, a rolling restart and a whole-cluster restart. Each node stamps
 * its own clients on connect, on disconnect and at every sweep; any node may claim a session
 * whose stamp is older than the expiry, and exactly one does.
 */
export class RedisSessionClock {
  constructor(private readonly redis: Redis) {}

  /** Stamps these sessions as connected at `now`. */
  async touch(clientIds: readonly string[], now = Date.now()): Promise<void> {
    if (clientIds.length === 0) return;
    await this.redis.hset(LAST_CONNECTED, Object.fromEntries(clientIds.map((id) => [id, String(now)])));
  }

  /** Stored sessions without a stamp (from before this version) start their clock at `now`. */
  async adopt(now = Date.now()): Promise<void> {
    // Scanned in batches: a big cluster holds many sessions, and SMEMBERS would block redis.
    for await (const ids of this.redis.sscanStream(STORED_SESSIONS, { count: 500 }) as AsyncIterable<
      string[]
    >) {
      if (ids.length === 0) continue;
      const batch = this.redis.pipeline();
      for (const id of ids) batch.hsetnx(LAST_CONNECTED, id, String(now));
      await batch.exec();
    }
  }

  /** Claims the stored sessions last connected `expirySeconds` or more ago; returns their ids. */
  async claimExpired(expirySeconds: number, now = Date.now()): Promise<string[]> {
    const claimed: string[] = [];
    // HSCAN yields field, value, field, value…; a field may come twice (a rehash), claiming is idempotent.
    for await (const flat of this.redis.hscanStream(LAST_CONNECTED, { count: 500 }) as AsyncIterable<
      string[]
    >) {
      for (let i = 0; i < flat.length; i += 2) {
        const id = flat[i]!;
        const stamp = flat[i + 1]!;
        if (now - Number(stamp) < expirySeconds * 1000) continue;
        if ((await this.redis.eval(CLAIM, 2, LAST_CONNECTED, STORED_SESSIONS, id, stamp)) === 1)
          claimed.push(id);
      }
    }
    return claimed;
  }
}
