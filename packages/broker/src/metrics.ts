import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { SharedGroupStats } from '@firehose/aedes';
import type { BrokerStats } from './stats.js';

/** A Prometheus registry over the broker's counters, read at scrape time (no hot-path cost). */
export function createMetrics(
  stats: BrokerStats,
  extra: {
    scryptRuns: () => number;
    /** Whether `/readyz` says ready (listening, persistence up). */
    ready: () => boolean;
    /** Valid messages per declared event type (the catalogue's counts). */
    events: () => Iterable<{ service: string; type: string; count: number }>;
  },
): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'firehose_' });
  const counter = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  gauge('firehose_clients_connected', 'Clients connected now.', () => stats.clientsConnected);
  gauge(
    'firehose_clients_maximum',
    'Most clients connected at once since start.',
    () => stats.clientsMaximum,
  );
  gauge('firehose_subscriptions', 'Subscriptions held by connected clients now.', () => stats.subscriptions);
  counter('firehose_connections_total', 'Connections accepted.', () => stats.connectionsTotal);
  counter(
    'firehose_messages_received_total',
    'PUBLISH packets accepted from clients.',
    () => stats.messagesReceived,
  );
  counter('firehose_messages_sent_total', 'PUBLISH packets sent to clients.', () => stats.messagesSent);
  counter('firehose_bytes_received_total', 'Bytes received from clients.', () => stats.bytesReceived);
  counter('firehose_bytes_sent_total', 'Bytes sent to clients.', () => stats.bytesSent);
  counter(
    'firehose_scrypt_verifications_total',
    'Password verifications run (real and dummy).',
    extra.scryptRuns,
  );
  counter(
    'firehose_puback_unreplicated_total',
    'QoS 1 PUBACKs sent without a Redis replica confirming the store writes (redis.replicaWait: none connected, or none in time).',
    () => stats.pubacksUnreplicated,
  );
  new Counter<'reason'>({
    name: 'firehose_refused_total',
    help: 'Messages dropped and connections refused or closed, by reason.',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, count] of stats.dropped) this.inc({ reason }, count);
    },
  });
  gauge('firehose_ready', '1 when the node accepts clients (what /readyz says), else 0.', () =>
    extra.ready() ? 1 : 0,
  );
  new Counter<'service' | 'type'>({
    name: 'firehose_events_total',
    help: 'Valid events accepted, per service and declared event type (type "undeclared" for undeclared topics).',
    labelNames: ['service', 'type'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { service, type, count } of extra.events()) this.inc({ service, type }, count);
    },
  });
  // One series per shared-subscription group (`$share/<group>/<filter>`); member counts, never client ids.
  const shared = (
    name: string,
    help: string,
    kind: 'gauge' | 'counter',
    read: (g: SharedGroupStats) => number,
  ): void => {
    const Metric = kind === 'gauge' ? Gauge : Counter;
    new Metric<'group' | 'filter'>({
      name,
      help,
      labelNames: ['group', 'filter'],
      registers: [registry],
      collect() {
        this.reset();
        for (const g of stats.sharedGroups()) {
          const labels = { group: g.group, filter: g.filter };
          if (this instanceof Gauge) this.set(labels, read(g));
          else this.inc(labels, read(g));
        }
      },
    });
  };
  shared(
    'firehose_shared_members',
    'Connected members of each shared-subscription group.',
    'gauge',
    (g) => g.members.length,
  );
  shared(
    'firehose_shared_deliveries_total',
    'Messages handed to a member of each shared-subscription group.',
    'counter',
    (g) => g.deliveries,
  );
  shared(
    'firehose_shared_redeliveries_total',
    'Messages in flight to a member that left, handed to another member of its group.',
    'counter',
    (g) => g.redeliveries,
  );
  shared(
    'firehose_shared_lost_total',
    'Messages in flight to the last member of a group when it left.',
    'counter',
    (g) => g.lost,
  );
  return registry;
}
