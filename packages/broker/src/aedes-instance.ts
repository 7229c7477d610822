import { Aedes, type Client } from '@firehose/aedes';
import type { AedesHookAdapter } from './aedes-hooks.js';
import type { BrokerLimits } from './config/types.js';
import type { FirehoseConnection } from './connection/connection.js';
import type { PersistenceBackend } from './persistence.js';
import type { RedisSharedGroups } from './shared-cluster.js';

/** What the broker's aedes is built from. */
export interface AedesSetup {
  /** The node id (names its `$SYS` and catalogue records, and its claims in a cluster). */
  id: string;
  hooks: AedesHookAdapter;
  backend: PersistenceBackend;
  limits: BrokerLimits;
  heartbeatIntervalMs: number;
  /** Packets acknowledged but not to be stored or delivered (failed validation). */
  diverted: WeakSet<object>;
  /** Every accepted message, in order, as it is handed to live delivery (history numbers it here). */
  beforeDeliver?: (packet: { topic: string; payload: Buffer | string }) => void;
  /** Cluster-wide `$share` groups (redis only). */
  sharedGroups: RedisSharedGroups | undefined;
}

/**
 * The aedes instance behind a broker: the broker's hooks and store, with the options that leave
 * outbound isolation to the connection wrapper and let invalid publishes be acknowledged only.
 */
export function createAedes(setup: AedesSetup): Aedes {
  const { backend, limits } = setup;
  return new Aedes({
    id: setup.id,
    ...setup.hooks.hooks(),
    ...(backend.persistence ? { persistence: backend.persistence } : {}),
    ...(backend.mq ? { mq: backend.mq } : {}),
    connectTimeout: limits.connectTimeoutMs,
    heartbeatInterval: setup.heartbeatIntervalMs,
    maxTopicLevels: Math.min(limits.maxTopicLevels, 100),
    // Invalid messages are acknowledged (PUBACK/PUBREC) but never stored or fanned out.
    divertPublish: (packet) => setup.diverted.has(packet),
    // Outbound isolation is the connection wrapper's job; aedes never sees backpressure.
    drainTimeout: 0,
    // A shared-subscription group skips a member whose queue is over its soft cap.
    sharedCanTake: (client: Client) => (client.conn as FirehoseConnection).canTakeMore(),
    // On a cluster a group's message goes to one member across all nodes (shared-cluster.ts).
    sharedCluster: setup.sharedGroups ?? null,
    beforeDeliver: setup.beforeDeliver ?? null,
    // With redis.replicaWait: each QoS 1 PUBACK once a Redis replica has the store's writes.
    acknowledgePublish: backend.replicaWait?.acknowledge ?? null,
  });
}

/** Publishes a broker-owned message (`$SYS`, `$firehose`) at QoS 0 through aedes. */
export function publishOwnMessage(
  aedes: Aedes,
  topic: string,
  payload: string,
  retain: boolean,
  onError: (error: Error) => void,
): void {
  const packet = {
    cmd: 'publish' as const,
    topic,
    payload: Buffer.from(payload),
    qos: 0 as const,
    retain,
    dup: false,
  };
  aedes.publish(packet, (error?: Error) => {
    if (error) onError(error);
  });
}
