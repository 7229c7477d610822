import type { AedesPublishPacket, SharedCluster } from '@firehose/aedes';
import type { Redis } from 'ioredis';

/**
 * Cluster-wide `$share` groups over the cluster's redis (the fork's `sharedCluster` option).
 *
 * Every node with members of a group receives each of its messages from the shared emitter. One
 * of them delivers it: the first to `SET NX` the message's claim key (group, origin broker id and
 * counter, which every node sees identically). The same script stores a QoS 1 message in the
 * winner's in-flight hash, so from the moment a node owns a message redis has it until a member
 * acknowledges it. A node's members leave with messages unacknowledged: it moves them to the
 * group's orphan hash. A node goes silent (no membership heartbeat for 3 heartbeat intervals,
 * the rule aedes applies to wills): a survivor moves its in-flight hash there. Nodes with members
 * drain the orphan hash at every tick and redeliver what they took.
 *
 * Balance: each node knows every node's member count (a redis hash refreshed at every tick). A
 * hash of the message's id picks a member slot over all of them; the node holding that slot
 * claims at once, the others a little later (their claim fails unless it did not claim: it died,
 * or its members left or are all busy), and a node whose members are all busy later still.
 */
export class RedisSharedGroups implements SharedCluster {
  readonly #redis: SharedRedis;
  readonly #node: string;
  readonly #tickMs: number;
  readonly #deadAfterMs: number;
  /** This node's member count per group key. */
  readonly #local = new Map<string, number>();
  /** Other live nodes' member counts per group key, from the last tick. */
  readonly #others = new Map<string, Map<string, number>>();
  /** Per group key: every live node's [node, count], sorted, and their sum; rebuilt on change. */
  readonly #rings = new Map<string, { ring: [string, number][]; total: number }>();
  #redeliver: (key: string, packet: AedesPublishPacket) => boolean = () => false;
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;
  #closed = false;
  readonly #onError: (error: Error) => void;
  /** Messages this node owned and whose members all left: handed to the others. */
  handedOff = 0;

  constructor(redis: Redis, node: string, heartbeatIntervalMs: number, onError: (error: Error) => void) {
    this.#redis = defineScripts(redis);
    this.#node = node;
    this.#tickMs = Math.min(heartbeatIntervalMs, 1000);
    this.#deadAfterMs = 3 * heartbeatIntervalMs;
    this.#onError = onError;
  }

  /** Starts the membership heartbeat; `redeliver` hands a taken-over message to aedes' group. */
  start(redeliver: (key: string, packet: AedesPublishPacket) => boolean): void {
    this.#redeliver = redeliver;
    this.#timer = setInterval(() => void this.#tick(), this.#tickMs);
    this.#timer.unref();
  }

  claim(key: string, packet: AedesPublishPacket, ready: boolean, done: (won: boolean) => void): void {
    const run = (): void => this.#claimNow(key, packet, done);
    if (!ready) setTimeout(run, 2 * CLAIM_DELAY_MS).unref();
    else if (this.#preferred(key, packet) === this.#node) run();
    else setTimeout(run, CLAIM_DELAY_MS).unref();
  }

  #claimNow(key: string, packet: AedesPublishPacket, done: (won: boolean) => void): void {
    if (this.#closed) return done(false);
    const field = messageId(packet);
    const record = packet.qos > 0 ? encode(packet) : '';
    this.#redis
      .firehoseSharedClaim(
        claimKey(key, field),
        inflightKey(key, this.#node),
        this.#node,
        CLAIM_TTL_MS,
        field,
        record,
      )
      .then(
        (won) => done(won === 1),
        (error: unknown) => {
          // At least once: without an answer from redis, deliver rather than drop.
          this.#onError(asError(error));
          done(true);
        },
      );
  }

  members(key: string, _group: string, _filter: string, count: number): void {
    const before = this.#local.get(key) ?? 0;
    if (count > 0) this.#local.set(key, count);
    else this.#local.delete(key);
    this.#rebuild(key);
    if (this.#closed) return;
    const write =
      count > 0
        ? this.#redis.hset(membersKey(key), this.#node, `${count}:${Date.now()}`)
        : this.#redis.hdel(membersKey(key), this.#node);
    write.catch((error: unknown) => this.#onError(asError(error)));
    // A group's first member here takes what waited for one.
    if (before === 0 && count > 0) void this.#drain(key);
  }

  delivered(key: string, packet: AedesPublishPacket): void {
    if (this.#closed) return;
    this.#redis
      .hdel(inflightKey(key, this.#node), messageId(packet))
      .catch((error: unknown) => this.#onError(asError(error)));
  }

  handOff(key: string, packet: AedesPublishPacket): void {
    this.handedOff++;
    if (this.#closed) return;
    this.#redis
      .firehoseSharedHandOff(inflightKey(key, this.#node), orphansKey(key), messageId(packet))
      .catch((error: unknown) => this.#onError(asError(error)));
  }

  /** Stops the heartbeat and leaves every group (its in-flight messages were handed off as its clients closed). */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    const keys = [...this.#local.keys()];
    this.#closed = true;
    const leave = async (): Promise<void> => {
      await Promise.all(keys.map((key) => this.#redis.hdel(membersKey(key), this.#node)));
      await this.#redis.quit();
    };
    // Redis may be unreachable: its offline queue would hold these for seconds.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      leave().catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, 1000))),
    ]);
    clearTimeout(timer);
    this.#redis.disconnect();
  }

  /** The node whose member slot a hash of the message's id falls in. */
  #preferred(key: string, packet: AedesPublishPacket): string | undefined {
    const ring = this.#rings.get(key);
    if (ring === undefined || ring.total === 0) return undefined;
    let slot = fnv1a(messageId(packet)) % ring.total;
    for (const [node, count] of ring.ring) {
      if (slot < count) return node;
      slot -= count;
    }
    return undefined;
  }

  #rebuild(key: string): void {
    const counts = new Map(this.#others.get(key));
    const own = this.#local.get(key);
    if (own === undefined) counts.delete(this.#node);
    else counts.set(this.#node, own);
    const ring = [...counts].filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.#rings.set(key, { ring, total: ring.reduce((sum, [, n]) => sum + n, 0) });
  }

  async #tick(): Promise<void> {
    if (this.#ticking || this.#closed) return;
    this.#ticking = true;
    try {
      for (const [key, count] of [...this.#local]) {
        const now = Date.now();
        await this.#redis.hset(membersKey(key), this.#node, `${count}:${now}`);
        const fields = await this.#redis.hgetall(membersKey(key));
        const others = new Map<string, number>();
        for (const [node, value] of Object.entries(fields)) {
          if (node === this.#node) continue;
          const [members, stamp] = value.split(':').map(Number);
          if (stamp! >= now - this.#deadAfterMs) others.set(node, members!);
          // Silent for too long: its unacknowledged messages go to the orphans (once: the script
          // checks the field again and removes it).
          else
            await this.#redis.firehoseSharedTakeOver(
              membersKey(key),
              inflightKey(key, node),
              orphansKey(key),
              node,
              now - this.#deadAfterMs,
            );
        }
        this.#others.set(key, others);
        this.#rebuild(key);
        await this.#drain(key);
      }
    } catch (error) {
      this.#onError(asError(error));
    } finally {
      this.#ticking = false;
    }
  }

  /** Takes orphaned messages of a group into this node's in-flight hash and delivers them here. */
  async #drain(key: string): Promise<void> {
    if (this.#closed || !this.#local.has(key)) return;
    const records = await this.#redis
      .firehoseSharedDrain(orphansKey(key), inflightKey(key, this.#node), DRAIN_BATCH)
      .catch((error: unknown) => {
        this.#onError(asError(error));
        return [];
      });
    for (const record of records) {
      const packet = decode(record);
      // Its members left meanwhile: back to the orphans.
      if (!this.#redeliver(key, packet)) this.handOff(key, packet);
    }
  }
}

/** How long a node that does not hold a message's slot waits before it claims it too. */
const CLAIM_DELAY_MS = 250;
/** A claim key outlives every late claim of its message (at most 2 × CLAIM_DELAY_MS after it arrived). */
const CLAIM_TTL_MS = 30_000;
/** Orphaned messages one node takes per group per tick. */
const DRAIN_BATCH = 500;

const PREFIX = 'firehose:shared:';
const claimKey = (key: string, id: string): string => `${PREFIX}claim:${key}:${id}`;
const membersKey = (key: string): string => `${PREFIX}members:${key}`;
const inflightKey = (key: string, node: string): string => `${PREFIX}inflight:${key}:${node}`;
const orphansKey = (key: string): string => `${PREFIX}orphans:${key}`;

/** The message's cluster-wide identity: its origin broker and that broker's counter. */
function messageId(packet: AedesPublishPacket): string {
  return `${packet.brokerId}:${packet.brokerCounter}`;
}

interface StoredMessage {
  t: string;
  p: string;
  q: number;
  b: string;
  c: number;
}

function encode(packet: AedesPublishPacket): string {
  const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  const stored: StoredMessage = {
    t: packet.topic,
    p: payload.toString('base64'),
    q: packet.qos,
    b: packet.brokerId,
    c: packet.brokerCounter,
  };
  return JSON.stringify(stored);
}

function decode(record: string): AedesPublishPacket {
  const m = JSON.parse(record) as StoredMessage;
  return {
    cmd: 'publish',
    topic: m.t,
    payload: Buffer.from(m.p, 'base64'),
    qos: m.q as 0 | 1,
    retain: false,
    dup: false,
    brokerId: m.b,
    brokerCounter: m.c,
  };
}

/** FNV-1a, 32 bits: spreads consecutive counters evenly over the member slots. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

interface SharedRedis extends Redis {
  firehoseSharedClaim(
    claim: string,
    inflight: string,
    node: string,
    ttlMs: number,
    field: string,
    record: string,
  ): Promise<number>;
  firehoseSharedHandOff(inflight: string, orphans: string, field: string): Promise<number>;
  firehoseSharedTakeOver(
    members: string,
    inflight: string,
    orphans: string,
    node: string,
    staleBefore: number,
  ): Promise<number>;
  firehoseSharedDrain(orphans: string, inflight: string, limit: number): Promise<string[]>;
}

// Each script is atomic in redis: a claim and its in-flight record, a hand-off, a take-over and
// a drain each happen whole or not at all, so no message is in two places or none.
function defineScripts(redis: Redis): SharedRedis {
  redis.defineCommand('firehoseSharedClaim', {
    numberOfKeys: 2,
    lua: `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], ARGV[3], ARGV[4]) end
  return 1
end
return 0`,
  });
  redis.defineCommand('firehoseSharedHandOff', {
    numberOfKeys: 2,
    lua: `local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], v)
return 1`,
  });
  redis.defineCommand('firehoseSharedTakeOver', {
    numberOfKeys: 3,
    lua: `local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then
  local stamp = tonumber(string.match(v, ':(%d+)$'))
  if stamp and stamp >= tonumber(ARGV[2]) then return -1 end
  redis.call('HDEL', KEYS[1], ARGV[1])
end
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do redis.call('HSET', KEYS[3], entries[i], entries[i + 1]) end
redis.call('DEL', KEYS[2])
return #entries / 2`,
  });
  redis.defineCommand('firehoseSharedDrain', {
    numberOfKeys: 2,
    lua: `local entries = redis.call('HGETALL', KEYS[1])
local out = {}
local n = math.min(#entries, tonumber(ARGV[1]) * 2)
for i = 1, n, 2 do
  redis.call('HSET', KEYS[2], entries[i], entries[i + 1])
  redis.call('HDEL', KEYS[1], entries[i])
  out[#out + 1] = entries[i + 1]
end
return out`,
  });
  return redis as SharedRedis;
}
