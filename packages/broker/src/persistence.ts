import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AedesAsyncPersistence as AedesPersistence } from '@firehose/aedes';
import type { Redis } from 'ioredis';
import { maskPersistence } from './config/parse-persistence.js';
import type { PersistenceConfig } from './config/types.js';
import { RedisLink } from './redis-link.js';
import { ReplicaWait } from './replica-wait.js';
import { Resubscription } from './redis-resubscription.js';
import { RedisSessionClock } from './redis-session-clock.js';

const require = createRequire(import.meta.url);

interface Emitter {
  close(done: () => void): void;
}

// Each package's main export wraps its async class so aedes gets streams where it pipes them.
type PersistenceFactory = (options: unknown) => AedesPersistence;
type EmitterFactory = (options: Record<string, unknown>) => Emitter;

export type { AedesPersistence };

/** What aedes gets for a `persistence` config value, and how to close it. */
export interface PersistenceBackend {
  /** undefined = aedes' built-in memory persistence and emitter. */
  persistence: AedesPersistence | undefined;
  mq: Emitter | undefined;
  /**
   * Closes what aedes does not close itself: the persistence's store, and when aedes never
   * started (`started` false: closed while waiting for redis) the emitter too.
   */
  close(persistence: AedesPersistence | undefined, started: boolean): Promise<void>;
  /**
   * Ids of the persistent sessions a single-node store kept across a restart, so their expiry
   * clock starts again (aedes has no API for it). Absent for memory (nothing survives) and redis
   * (other nodes may hold those sessions connected right now: it has `sessionClock` instead).
   */
  storedSessions?(): Promise<string[]>;
  /** A cluster's shared record of when each persistent session was last connected (redis). */
  sessionClock?: RedisSessionClock;
  /** Whether redis is reachable (redis). */
  link?: RedisLink;
  /**
   * When the emitter's subscriptions are in force again after a reconnect (redis): messages
   * published on the other nodes meanwhile reached this node only through the store.
   */
  resubscription?: Resubscription;
  /** One sentence for the log when `link` goes down, naming the setting when it is the likely cause. */
  describeOutage?(error: Error): string;
  /**
   * A connection of its own for cluster-wide shared-subscription groups (redis): a claim per
   * message per group, auto-pipelined, beside the store's traffic. Closed by its user.
   */
  sharedRedis?: Redis;
  /** What cluster-wide history needs of redis (docs/architecture.md#cluster-history). */
  historyRedis?: HistoryRedis;
  /** Holds QoS 1 PUBACKs until a replica has the store's writes (`redis.replicaWait` > 0). */
  replicaWait?: ReplicaWait;
}

/** The history log's redis connections (redis). */
export interface HistoryRedis {
  /**
   * The emitter's publishing connection: an XADD written on it just before the emitter's PUBLISH
   * is in the stream by the time that PUBLISH is answered and the publisher acknowledged.
   */
  writer: Redis;
  /** A new connection with the store's options, followed by `link` under `name`; closed by its user. */
  connect(name: string): Redis;
}

/** mqemitter-redis 7: its connections, and `state`, where it re-emits their errors. */
interface RedisEmitter extends Emitter {
  subConn: Redis;
  pubConn: Redis;
  state: { on(event: 'error', listener: (error: Error) => void): void };
}

/** aedes-persistence-level 9.2 keys subscriptions as `subscriptions:<encodeURIComponent(id)>:<filter>`. */
const SUBSCRIPTION_KEYS = { gte: 'subscriptions:', lt: 'subscriptions;' };

/**
 * Builds the persistence a config names: `memory` (aedes' own), `level:DIR` (aedes-persistence-level
 * over classic-level, one node) or `redis://…` (aedes-persistence-redis plus mqemitter-redis: a
 * cluster needs both the shared store and the shared emitter).
 */
export async function createPersistence(
  config: PersistenceConfig,
  maxOfflineMessages: number,
  /** `redis.replicaWait` in milliseconds; 0 = PUBACK without waiting. */
  replicaWaitMs = 0,
): Promise<PersistenceBackend> {
  switch (config.kind) {
    case 'memory':
      return { persistence: undefined, mq: undefined, close: async (p) => p?.destroy?.() };
    case 'level': {
      mkdirSync(config.path, { recursive: true });
      const { Level } = await import('level');
      const db = new Level(config.path);
      await db.open();
      const levelPersistence = require('aedes-persistence-level') as PersistenceFactory;
      return {
        persistence: levelPersistence(db),
        mq: undefined,
        close: async (p) => p?.destroy?.(),
        async storedSessions() {
          const ids = new Set<string>();
          for await (const key of db.keys(SUBSCRIPTION_KEYS)) ids.add(decodeURIComponent(key.split(':')[1]!));
          return [...ids];
        },
      };
    }
    case 'redis': {
      const connection = redisConnectionOptions(config);
      const redisPersistence = require('@firehose/aedes-persistence-redis') as PersistenceFactory;
      const createEmitter = require('mqemitter-redis') as EmitterFactory;
      // One connection for the store and the session clock; the store's destroy() closes it.
      const { Redis } = await import('ioredis');
      const db = new Redis(connection);
      const mq = createEmitter(connection) as RedisEmitter;
      const sharedRedis = new Redis({ ...connection, enableAutoPipelining: true });
      const link = new RedisLink();
      link.watch('store', db);
      link.watch('shared', sharedRedis);
      link.watch('emitter-sub', mq.subConn);
      link.watch('emitter-pub', mq.pubConn);
      // Its own connection: WAIT blocks the connection it is sent on (replica-wait.ts).
      // A WAIT in flight when it closes fails (the publishes behind it get no PUBACK) rather than
      // being resent to whichever primary it reaches next, where it would block for its timeout.
      const waitRedis =
        replicaWaitMs > 0 ? new Redis({ ...connection, autoResendUnfulfilledCommands: false }) : undefined;
      if (waitRedis) link.watch('replica-wait', waitRedis);
      const resubscription = new Resubscription(mq.subConn);
      // Already reported through the link; unheard, this one would crash the process.
      mq.state.on('error', () => undefined);
      return {
        persistence: redisPersistence({ conn: db, maxSessionDelivery: maxOfflineMessages }),
        mq,
        async close(p, started) {
          waitRedis?.disconnect();
          if (started) return p?.destroy?.();
          for (const connection of [db, mq.subConn, mq.pubConn, sharedRedis]) connection.disconnect();
        },
        sessionClock: new RedisSessionClock(db),
        link,
        resubscription,
        describeOutage: (error) => describeRedisOutage(config, error),
        sharedRedis,
        ...(waitRedis ? { replicaWait: new ReplicaWait(waitRedis, db, replicaWaitMs) } : {}),
        historyRedis: {
          writer: mq.pubConn,
          connect(name) {
            const extra = new Redis(connection);
            link.watch(name, extra);
            return extra;
          },
        },
      };
    }
  }
}

type RedisPersistenceConfig = Extract<PersistenceConfig, { kind: 'redis' }>;

/**
 * ioredis options for the store, the shared-groups connection and both emitter connections. With
 * sentinels each connection asks them for the current primary at every (re)connect and checks its
 * role, so a failover is one more reconnect; RedisLink reports it like any other outage.
 */
function redisConnectionOptions(config: RedisPersistenceConfig): Record<string, unknown> {
  const credentials = {
    db: config.db,
    ...(config.username === undefined ? {} : { username: config.username }),
    ...(config.password === undefined ? {} : { password: config.password }),
  };
  if (config.sentinels !== undefined)
    return {
      ...credentials,
      sentinels: config.sentinels,
      name: config.name,
      // Not ioredis' failoverDetector: a +switch-master that arrives while a connection is asking a
      // sentinel (it is reconnecting: the primary died) makes that connect fail with "Connection is
      // closed" and the connection ends for good (ioredis 5.11, SentinelConnector#connect; ioredis
      // itself turned it off by default, #1363). A dead primary closes the connections, and the
      // reconnect asks the sentinels again; a write answered READONLY by a demoted primary
      // reconnects the same way and is resent.
      reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 2 : false),
    };
  return { ...credentials, host: config.host, port: config.port, ...(config.tls ? { tls: {} } : {}) };
}

/**
 * ioredis says "All sentinels are unreachable" both when none answers and when they answer but do
 * not know the master name: either way the sentinel set in `persistence` is what to check.
 */
function describeRedisOutage(config: RedisPersistenceConfig, error: Error): string {
  if (config.sentinels !== undefined && error.message.startsWith('All sentinels are unreachable'))
    return `redis unreachable: no sentinel of persistence "${maskPersistence(config)}" is reachable and knows master "${config.name}"; retrying`;
  return 'redis unreachable; retrying';
}
