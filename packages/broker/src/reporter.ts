import type { Aedes, Client } from '@firehose/aedes';
import { catalogueTopic, type LiveCatalogue } from './live-catalogue.js';
import type { BrokerConfig } from './config/types.js';
import type { BrokerStats } from './stats.js';
import { summarizeShared } from './shared-summary.js';
import { SysStats, type SysMessage } from './sys-stats.js';

function matches(filter: string, topic: string): boolean {
  if (filter === '#') return false; // never matches a $ topic [MQTT-4.7.2-1]
  const f = filter.split('/');
  const t = topic.split('/');
  if (f[0] === '+') return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/**
 * Publishes the broker's own reports on their intervals: the catalogue (`$firehose/catalogue/…`,
 * retained, per node), `$SYS/firehose/<node>/stats` (retained, per node) and the
 * Mosquitto-compatible `$SYS/broker/…` tree. The latter has fixed names, so in a cluster each
 * node delivers it only to its own clients (like a lone Mosquitto would), never through the
 * shared emitter or retained store, where nodes would overwrite each other's counts. Mosquitto
 * retains that tree, so `mosquitto_sub -t '$SYS/broker/uptime' -C 1` answers at once: a new
 * `$SYS` subscription here gets the node's current values too, flagged retained.
 */
export class Reporter {
  readonly #aedes: Aedes;
  readonly #config: () => BrokerConfig;
  readonly #catalogue: LiveCatalogue;
  readonly #sys: SysStats;
  readonly #publish: (topic: string, payload: string, retain: boolean) => void;
  #timers: NodeJS.Timeout[] = [];
  #localCounter = 0;
  /** The last `$firehose/catalogue/<node>/shared` record published, to publish only changes. */
  #lastShared: string | undefined;

  constructor(
    aedes: Aedes,
    config: () => BrokerConfig,
    stats: BrokerStats,
    catalogue: LiveCatalogue,
    version: string,
    publish: (topic: string, payload: string, retain: boolean) => void,
  ) {
    this.#aedes = aedes;
    this.#config = config;
    this.#catalogue = catalogue;
    this.#sys = new SysStats(stats, version);
    this.#publish = publish;
  }

  start(): void {
    const { catalogue, sys } = this.#config();
    if (catalogue.interval > 0) {
      this.publishCatalogue(true);
      this.#every(catalogue.interval, () => this.publishCatalogue());
    }
    if (sys.interval > 0) {
      this.publishSys();
      this.#every(sys.interval, () => this.publishSys());
      this.#aedes.on('subscribe', this.#onSubscribe);
    }
  }

  readonly #onSubscribe = (subscriptions: { topic: string }[], client: Client): void => {
    const filters = subscriptions.map((s) => s.topic).filter((f) => f.startsWith('$SYS'));
    if (filters.length === 0) return;
    this.#deliver(client, filters, this.#sys.snapshot(this.#aedes.id).broker, true);
  };

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    this.#aedes.off('subscribe', this.#onSubscribe);
  }

  #every(seconds: number, run: () => void): void {
    const timer = setInterval(run, seconds * 1000);
    timer.unref();
    this.#timers.push(timer);
  }

  /** Publishes changed catalogue records (all of them when `all`). */
  publishCatalogue(all = false): void {
    for (const record of this.#catalogue.snapshot(this.#aedes.id, all)) {
      this.#publish(catalogueTopic(record), JSON.stringify(record), true);
    }
    this.#publishShared(all);
  }

  /**
   * `$firehose/catalogue/<node>/shared`, retained: this node's `$share` groups, their member
   * counts and deliveries (no client ids). Published once a node has had a group, then on change.
   */
  #publishShared(all: boolean): void {
    const groups = summarizeShared(this.#aedes.sharedSubscriptions());
    if (groups.length === 0 && this.#lastShared === undefined) return;
    const node = this.#aedes.id;
    const payload = JSON.stringify({ node, groups });
    if (!all && payload === this.#lastShared) return;
    this.#lastShared = payload;
    this.#publish(`$firehose/catalogue/${node}/shared`, payload, true);
  }

  /** Publishes one round of `$SYS` statistics. */
  publishSys(): void {
    const { broker, firehose } = this.#sys.tick(this.#aedes.id);
    this.#publish(firehose.topic, firehose.payload, true);
    const clients = this.#aedes.clients;
    for (const id in clients) {
      const client = clients[id]!;
      const filters = Object.keys(client.subscriptions).filter((f) => f.startsWith('$SYS'));
      if (filters.length > 0) this.#deliver(client, filters, broker, false);
    }
  }

  #deliver(client: Client, filters: string[], messages: SysMessage[], retain: boolean): void {
    if (!client.connected) return;
    for (const message of messages) {
      if (!filters.some((f) => matches(f, message.topic))) continue;
      // aedes drops a delivery whose per-broker counter is lower than the last one it saw from
      // that broker id; these bypass the emitter, so they count under their own id.
      const packet = {
        cmd: 'publish' as const,
        topic: message.topic,
        payload: Buffer.from(message.payload),
        qos: 0 as const,
        retain,
        dup: false,
        brokerId: `${this.#aedes.id}/sys`,
        brokerCounter: ++this.#localCounter,
      };
      client.publish(packet, () => {});
    }
  }
}
