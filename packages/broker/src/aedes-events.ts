import type { EventEmitter } from 'node:events';
import type { Aedes, Client } from '@firehose/aedes';
import type { AedesHookAdapter } from './aedes-hooks.js';
import type { BrokerEvents } from './broker-events.js';
import type { FirehoseConnection } from './connection/connection.js';
import type { Logger } from './logger.js';
import type { OfflineCap } from './offline-cap.js';
import type { BrokerStats } from './stats.js';

/** Where aedes' events go: the broker's counters, its log and its own events. */
export interface AedesEventTargets {
  stats: BrokerStats;
  logger: Logger;
  hooks: AedesHookAdapter;
  events: EventEmitter<BrokerEvents>;
  /** The offline cap, once listen() installed it (memory and level only). */
  offlineCap: () => OfflineCap | undefined;
  internalError: (error: unknown) => void;
}

/** Counts clients and subscriptions, logs client errors and re-emits connects as broker events. */
export function watchAedes(aedes: Aedes, targets: AedesEventTargets): void {
  const { stats, logger } = targets;
  // 'client' (registered) pairs with 'clientDisconnect' (unregistered); 'clientReady' never comes
  // for a client cut off while its stored queue is being sent.
  aedes.on('client', (client: Client) => {
    stats.clientsConnected++;
    // A clean session starts with an empty queue [MQTT-3.1.2-6].
    if (client.clean) targets.offlineCap()?.forget(client.id);
    stats.clientsMaximum = Math.max(stats.clientsMaximum, stats.clientsConnected);
    const identity = targets.hooks.identity(client);
    const info = (client.conn as FirehoseConnection).info;
    logger.debug({ clientId: client.id, username: identity?.account?.name, ip: info.ip }, 'client connected');
    targets.events.emit('clientConnected', {
      clientId: client.id,
      username: identity?.account?.name,
      ip: info.ip,
      listener: info.listener,
    });
  });
  aedes.on('clientDisconnect', (client: Client) => {
    stats.clientsConnected--;
    targets.events.emit('clientDisconnected', { clientId: client.id });
  });
  aedes.on('clientError', (client: Client, error: Error) => {
    logger.debug({ clientId: client.id, err: error.message }, 'client error');
  });
  aedes.on('subscriptionRefused', (client: Client, topic: string, reason: string) => {
    stats.drop('acl_subscribe');
    logger.warn({ clientId: client.id, topic }, `shared subscription refused: ${reason}`);
  });
  aedes.on('connectionError', (_client: Client, error: Error) => {
    logger.debug({ err: error.message }, 'connection error');
  });
  const clients = aedes.clients;
  stats.countSubscriptions = () => {
    let count = 0;
    for (const id in clients) count += Object.keys(clients[id]!.subscriptions).length;
    return count;
  };
  stats.sharedGroups = () => aedes.sharedSubscriptions();
  aedes.on('error', (error) => targets.internalError(error));
}
