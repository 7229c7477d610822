import { EventEmitter } from 'node:events';

/** What Resubscription needs of an ioredis connection in subscriber mode. */
interface SubscriberConnection extends EventEmitter {
  /** PING is valid in subscriber mode; redis answers it after the commands sent before it. */
  ping(): Promise<unknown>;
}

/**
 * Says when the cluster emitter's subscriber connection has its subscriptions in force again
 * after a reconnect (a Redis restart or a Sentinel failover). ioredis renews them as it becomes
 * ready (autoResubscribe), before its `ready` listeners run; a PING sent from that listener is
 * answered once redis has processed them. Until then messages the other nodes publish on that
 * redis do not reach this node: aedes has them in each persistent session's stored queue (stored
 * before they were published), and the broker resends those queues on `renewed`.
 */
export class Resubscription extends EventEmitter<{ renewed: [] }> {
  #connectedBefore = false;

  /** Watches `connection` from its creation, so its first `ready` is told from a reconnect. */
  constructor(connection: SubscriberConnection) {
    super();
    connection.on('ready', () => {
      if (!this.#connectedBefore) {
        this.#connectedBefore = true;
        return;
      }
      // A PING that fails means the connection dropped again: its next `ready` tries again.
      connection.ping().then(
        () => this.emit('renewed'),
        () => undefined,
      );
    });
  }
}
