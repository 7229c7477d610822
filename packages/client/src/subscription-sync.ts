import { FirehoseError } from '@firehose/protocol';
import type { Connection } from './connection.js';
import type { Logger } from './logger.js';
import type { QoS, Registration, SubscriptionRegistry } from './subscription-registry.js';

/**
 * Keeps the broker's subscriptions in line with the registry across reconnects: what the broker
 * confirmed in the current session, what must be sent again after a session was lost, and what was
 * given up while offline but still lives in a persistent session.
 */
export class SubscriptionSync {
  /** Filters the broker confirmed (SUBACK) in the current session. */
  private readonly confirmed = new Set<string>();
  /**
   * Filters given up while the UNSUBSCRIBE could not be sent (offline). A persistent session on the
   * broker still has them, so they are unsubscribed when the session is found again.
   */
  private readonly stale = new Set<string>();

  constructor(
    private readonly registry: SubscriptionRegistry<Registration>,
    private readonly connection: () => Connection | undefined,
    private readonly persistent: boolean,
    private readonly logger: Logger,
  ) {}

  /** Call on every CONNACK. [MQTT-3.2.2-2]: without a kept session the broker forgot every subscription. */
  connected(sessionPresent: boolean): void {
    if (!sessionPresent) this.confirmed.clear();
  }

  /** New or upgraded filters are unconfirmed until their SUBACK. */
  added(filters: Iterable<string>): void {
    for (const filter of filters) this.confirmed.delete(filter);
  }

  /**
   * After a reconnect: subscribes every filter the broker does not have, and unsubscribes what was
   * given up offline if the session survived. Rejects with `NOT_AUTHORIZED` if a filter is refused.
   */
  restore(sessionPresent: boolean): Promise<void> {
    const stale = [...this.stale].filter((filter) => this.registry.qosOf(filter) === undefined);
    this.stale.clear();
    const connection = this.connection();
    if (sessionPresent && stale.length > 0 && connection) {
      connection.client.unsubscribeAsync(stale).catch((error: unknown) => {
        for (const filter of stale) this.stale.add(filter);
        this.logger.debug({ err: error }, 'firehose client unsubscribe interrupted');
      });
    }
    const missing = new Map<string, QoS>();
    for (const [filter, qos] of this.registry.filters())
      if (!this.confirmed.has(filter)) missing.set(filter, qos);
    if (missing.size === 0) return Promise.resolve();
    this.logger.debug({ filters: [...missing.keys()] }, 'firehose client restoring subscriptions');
    return this.subscribe(missing);
  }

  /**
   * Sends one SUBSCRIBE. While disconnected, or if the connection drops mid-way, it resolves: the
   * filters stay unconfirmed and `restore()` sends them after the reconnect.
   * @throws FirehoseError `NOT_AUTHORIZED` naming the refused filters
   */
  async subscribe(filters: Map<string, QoS>): Promise<void> {
    const connection = this.connection();
    if (!connection || !connection.connected || filters.size === 0) return;
    const map: Record<string, { qos: QoS }> = {};
    for (const [filter, qos] of filters) map[filter] = { qos };
    let granted: { topic: string; qos: number }[];
    try {
      granted = await connection.client.subscribeAsync(map);
    } catch (error) {
      // MQTT.js rejects the whole SUBSCRIBE when any filter is refused, with the SUBACK attached; its
      // return codes follow the order of the filters [MQTT-3.9.3-1].
      const suback = (error as { packet?: { granted?: unknown } }).packet;
      if (!Array.isArray(suback?.granted)) {
        this.logger.debug({ err: error }, 'firehose client subscribe interrupted');
        return;
      }
      const order = Object.keys(map);
      granted = (suback.granted as number[]).map((qos, i) => ({ topic: order[i] ?? '', qos }));
    }
    const refused: string[] = [];
    for (const grant of granted) {
      // 0x80 is the failure return code [MQTT-3.9.3-2].
      if ((grant.qos & 0x80) !== 0) refused.push(grant.topic);
      else this.confirmed.add(grant.topic);
    }
    if (refused.length > 0) {
      throw new FirehoseError(
        'NOT_AUTHORIZED',
        `The broker refused the subscription to ${refused.join(', ')} [MQTT-3.9.3-2]; check the filter against the broker's read ACL.`,
        { path: refused[0] },
      );
    }
  }

  /** Unsubscribes filters nobody needs any more; offline, remembers them for a persistent session. */
  async removed(unused: readonly string[]): Promise<void> {
    for (const filter of unused) this.confirmed.delete(filter);
    if (unused.length === 0) return;
    const giveUp = (): void => {
      if (this.persistent) for (const filter of unused) this.stale.add(filter);
    };
    const connection = this.connection();
    if (!connection?.connected) {
      giveUp();
      return;
    }
    try {
      await connection.client.unsubscribeAsync([...unused]);
    } catch (error) {
      giveUp();
      this.logger.debug({ err: error }, 'firehose client unsubscribe interrupted');
    }
  }
}
