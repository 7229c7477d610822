import { matches } from '@firehose/protocol';

export type QoS = 0 | 1 | 2;

const SHARE_PREFIX = '$share/';

/** The filter messages match: for a shared subscription `$share/<group>/<filter>`, its `<filter>`. */
function topicFilterOf(filter: string): string {
  if (!filter.startsWith(SHARE_PREFIX)) return filter;
  const slash = filter.indexOf('/', SHARE_PREFIX.length);
  return slash === -1 ? filter : filter.slice(slash + 1);
}

/** One `subscribe()` / `events()` call: the filters it needs, at which QoS. */
export interface Registration {
  readonly filters: readonly string[];
  readonly qos: QoS;
}

/**
 * Which MQTT filters the client needs and at which QoS, across every registration. Several
 * registrations may share a filter; the broker sees one subscription at the highest QoS asked.
 */
export class SubscriptionRegistry<R extends Registration> {
  private readonly registrations = new Set<R>();
  private readonly byFilter = new Map<string, Set<R>>();
  /**
   * Topic → matching registrations. Topics repeat (a project's events), and a typed subscription
   * has one filter per project depth, so this saves the filter matching on the hot path. Cleared
   * whenever registrations change, and when it grows past a bound.
   */
  private readonly cache = new Map<string, readonly R[]>();
  private static readonly CACHE_LIMIT = 10_000;

  get size(): number {
    return this.registrations.size;
  }

  /** Adds a registration; returns the filters (with QoS) that need a SUBSCRIBE now. */
  add(registration: R): Map<string, QoS> {
    const toSubscribe = new Map<string, QoS>();
    this.cache.clear();
    this.registrations.add(registration);
    for (const filter of registration.filters) {
      const before = this.qosOf(filter);
      let set = this.byFilter.get(filter);
      if (!set) this.byFilter.set(filter, (set = new Set()));
      set.add(registration);
      if (before === undefined || registration.qos > before) toSubscribe.set(filter, registration.qos);
    }
    return toSubscribe;
  }

  /** Removes a registration; returns the filters nobody needs any more (UNSUBSCRIBE them). */
  remove(registration: R): string[] {
    if (!this.registrations.delete(registration)) return [];
    this.cache.clear();
    const unused: string[] = [];
    for (const filter of registration.filters) {
      const set = this.byFilter.get(filter);
      set?.delete(registration);
      if (set?.size === 0) {
        this.byFilter.delete(filter);
        unused.push(filter);
      }
    }
    return unused;
  }

  has(registration: R): boolean {
    return this.registrations.has(registration);
  }

  /** Highest QoS any registration asks for on `filter`, or undefined if none needs it. */
  qosOf(filter: string): QoS | undefined {
    const set = this.byFilter.get(filter);
    if (!set || set.size === 0) return undefined;
    let qos: QoS = 0;
    for (const registration of set) if (registration.qos > qos) qos = registration.qos;
    return qos;
  }

  /** Every needed filter with its QoS, for restoring subscriptions after a reconnect. */
  filters(): Map<string, QoS> {
    const all = new Map<string, QoS>();
    for (const filter of this.byFilter.keys()) all.set(filter, this.qosOf(filter) ?? 0);
    return all;
  }

  /** Registrations with a filter matching `topic`; each appears once even if several filters match. */
  matching(topic: string): readonly R[] {
    const cached = this.cache.get(topic);
    if (cached !== undefined) return cached;
    const found: R[] = [];
    for (const registration of this.registrations) {
      for (const filter of registration.filters) {
        if (matches(topicFilterOf(filter), topic)) {
          found.push(registration);
          break;
        }
      }
    }
    if (this.cache.size >= SubscriptionRegistry.CACHE_LIMIT) this.cache.clear();
    this.cache.set(topic, found);
    return found;
  }

  all(): R[] {
    return [...this.registrations];
  }
}
