import type { SharedGroupStats } from '@firehose/aedes';
import type { DropReason } from './connection/connection.js';

/** Why a message or connection was refused. */
export type RefusalReason =
  | DropReason
  | 'acl_publish'
  | 'acl_subscribe'
  | 'auth_failed'
  | 'auth_rate_limited'
  | 'connections_total'
  | 'connections_per_ip'
  | 'connection_rate'
  | 'sessions_per_ip'
  | 'sessions_expired'
  | 'offline_cap'
  | 'invalid'
  | 'undeclared_rejected'
  | 'ingest_unauthorized'
  | 'ingest_too_large'
  | 'ingest_unknown_event'
  | 'ingest_invalid'
  /** Delivered but not archived: the history queue was full (docs/architecture.md#history). */
  | 'history_overflow'
  /** A QoS 1 publish not acknowledged: a Redis connection closed after it arrived (`redis.replicaWait`). */
  | 'replica_unconfirmed';

/**
 * Plain counters on the hot path; `$SYS`, `/metrics` and the catalogue read them on their own
 * schedules, so counting a message costs one increment.
 */
export class BrokerStats {
  readonly startedAt = Date.now();
  messagesReceived = 0;
  messagesSent = 0;
  bytesReceived = 0;
  bytesSent = 0;
  publishesReceived = 0;
  connectionsTotal = 0;
  clientsConnected = 0;
  clientsMaximum = 0;
  /**
   * Counts the subscriptions connected clients hold, when read. Counting aedes' subscribe and
   * unsubscribe events drifts: they list denied filters, repeated ones and filters never held.
   */
  countSubscriptions: () => number = () => 0;
  /** Each shared-subscription group on this node (set by the broker). */
  sharedGroups: () => SharedGroupStats[] = () => [];
  /** scrypt verifications run (real and dummy). */
  scryptRuns = 0;
  /** QoS 1 PUBACKs sent without a Redis replica confirming the store's writes (`redis.replicaWait`). */
  pubacksUnreplicated = 0;
  readonly dropped = new Map<RefusalReason, number>();

  get subscriptions(): number {
    return this.countSubscriptions();
  }

  drop(reason: RefusalReason, count = 1): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + count);
  }

  droppedCount(reason: RefusalReason): number {
    return this.dropped.get(reason) ?? 0;
  }
}
