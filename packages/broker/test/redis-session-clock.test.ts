import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionClock } from '../src/redis-session-clock.js';
import { startRedis } from './redis-server.js';

let server: Awaited<ReturnType<typeof startRedis>>;
let redis: Redis;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

const STAMPS = 'firehose:sessions:last-connected';
const t0 = 1_800_000_000_000;

describe('RedisSessionClock', () => {
  it('claims a stored session last connected at least the expiry ago, once across nodes', async () => {
    await redis.flushdb();
    await redis.sadd('clients', 'old', 'recent');
    const nodeA = new RedisSessionClock(redis);
    const nodeB = new RedisSessionClock(redis);
    await nodeA.touch(['old'], t0);
    await nodeB.touch(['recent'], t0 + 9_000);

    expect(await nodeA.claimExpired(10, t0 + 9_999)).toEqual([]);
    expect(await nodeA.claimExpired(10, t0 + 10_000)).toEqual(['old']);
    expect(await nodeB.claimExpired(10, t0 + 10_000)).toEqual([]);
    expect(await redis.hkeys(STAMPS)).toEqual(['recent']);
  });

  it('gives stored sessions without a stamp (older brokers, a lost clock) a clock that starts now', async () => {
    await redis.flushdb();
    await redis.sadd('clients', 'unstamped', 'stamped');
    const clock = new RedisSessionClock(redis);
    await clock.touch(['stamped'], t0);
    await clock.adopt(t0 + 5_000);
    expect(await redis.hgetall(STAMPS)).toEqual({ stamped: String(t0), unstamped: String(t0 + 5_000) });
    expect(await clock.claimExpired(10, t0 + 12_000)).toEqual(['stamped']);
  });

  it('drops, without claiming, the stamp of a session no longer stored (a clean session replaced it)', async () => {
    await redis.flushdb();
    const clock = new RedisSessionClock(redis);
    await clock.touch(['replaced'], t0);
    expect(await clock.claimExpired(10, t0 + 60_000)).toEqual([]);
    expect(await redis.hlen(STAMPS)).toBe(0);
  });
});
