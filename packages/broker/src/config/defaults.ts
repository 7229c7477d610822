import type { BrokerLimits, ListenerName, LogLevel } from './types.js';

/** Default port of each listener. */
export const DEFAULT_PORTS: Readonly<Record<ListenerName, number>> = {
  mqtt: 1883,
  mqtts: 8883,
  ws: 8080,
  wss: 8443,
  http: 9090,
};

/** Default bind address of every listener. */
export const DEFAULT_HOST = '0.0.0.0';

/** Default WebSocket path. */
export const DEFAULT_WS_PATH = '/mqtt';

/** Listeners that run when the config has no `listeners` section. */
export const DEFAULT_LISTENERS: readonly ListenerName[] = ['mqtt', 'ws', 'http'];

/** Every limit's default (docs/architecture.md#broker-rules). */
export const DEFAULT_LIMITS: Readonly<BrokerLimits> = {
  maxPacketBytes: 262_144,
  maxTopicLength: 1024,
  maxTopicLevels: 32,
  maxConnections: 10_000,
  maxConnectionsPerIp: 100,
  connectionRatePerIp: 120,
  connectTimeoutMs: 10_000,
  keepaliveMin: 0,
  keepaliveMax: 3600,
  queueSoftBytes: 1_048_576,
  queueHardBytes: 8_388_608,
  sessionExpiry: 86_400,
  maxOfflineMessages: 1000,
  maxSessionsPerIp: 100,
  authFailuresPerMinute: 10,
  maxConcurrentAuth: 2,
  maxQueuedAuth: 100,
  inflight: 100,
};

/** Filters anonymous clients may subscribe to by default (OpenStack firehose: `#` and `$SYS/#`). */
export const DEFAULT_ANONYMOUS_READ: readonly string[] = ['#', '$SYS/#', '$firehose/#'];

export const DEFAULT_CATALOGUE_INTERVAL = 5;
export const DEFAULT_SYS_INTERVAL = 10;
/** `redis.replicaWait` with Sentinel persistence (without Sentinel: 0, off). */
export const DEFAULT_REPLICA_WAIT_MS = 1000;
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';
export const DEFAULT_INVALID_EXCERPT_BYTES = 1024;

/**
 * History defaults: 30 days, no size limit, 100,000 events waiting to be written, 8 streams per IP,
 * and on a Redis cluster a stream of about 1,000,000 entries (about 1 GiB of Redis memory at 1 KiB per event).
 */
export const DEFAULT_HISTORY = {
  path: './firehose-history.sqlite',
  maxAge: 30 * 86_400,
  maxBytes: 0,
  queue: 100_000,
  streamsPerIp: 8,
  streamMaxLen: 1_000_000,
} as const;

/** Client-id patterns an account reserves when it does not list its own. */
export function defaultClientIds(account: string): string[] {
  return [account, `${account}-*`, `${account}/*`];
}
