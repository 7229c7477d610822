import type { EventType } from '@firehose/schema';

/** One catalogue record: what the broker observed for a declared event type or undeclared topic. */
export interface CatalogueRecord {
  kind: 'declared' | 'undeclared';
  /** Event type (`gerrit.comment-added`) or, for undeclared records, the topic. */
  name: string;
  /** The broker node that counted these (records are per node in a cluster). */
  node: string;
  count: number;
  invalid: number;
  /** Messages per second over the last interval. */
  rate: number;
  /** ISO time of the last message, or null when none was seen. */
  lastSeen: string | null;
  /** Accounts (or `anonymous`) that published it. */
  publishers: string[];
  deprecated?: boolean;
  description?: string;
}

interface Entry {
  count: number;
  invalid: number;
  countAtLastPublish: number;
  lastSeen: number;
  publishers: Set<string>;
  dirty: boolean;
}

const newEntry = (): Entry => ({
  count: 0,
  invalid: 0,
  countAtLastPublish: 0,
  lastSeen: 0,
  publishers: new Set(),
  dirty: true,
});

/** Most undeclared topics tracked; beyond it they are counted together under `(other)`. */
const MAX_UNDECLARED_TOPICS = 1000;
const MAX_PUBLISHERS = 32;
const OTHER = '(other)';

/**
 * The live topic catalogue: per declared event type and per undeclared topic seen, count, rate,
 * last seen, publishers and invalid count. Counting is a map lookup on the publish path;
 * `snapshot()` runs on the catalogue interval. (The declared services themselves are the schema
 * package's `Catalogue`; this is what the broker observed of them.)
 */
export class LiveCatalogue {
  readonly #declared = new Map<string, Entry>();
  readonly #undeclared = new Map<string, Entry>();
  #descriptions = new Map<string, EventType>();
  #lastSnapshot = Date.now();

  constructor(eventTypes: readonly EventType[]) {
    this.declare(eventTypes);
  }

  /**
   * Makes `eventTypes` the declared ones (a catalogue reload): new types start at zero, types
   * still declared keep their counts, types no longer declared are dropped. Returns the dropped
   * names, whose retained records the reporter clears; every record is marked for republishing.
   */
  declare(eventTypes: readonly EventType[]): string[] {
    // A type declared in two majors is described by its newest.
    this.#descriptions = new Map();
    for (const eventType of eventTypes) {
      const known = this.#descriptions.get(eventType.type);
      if (known === undefined || known.version < eventType.version)
        this.#descriptions.set(eventType.type, eventType);
    }
    const dropped = [...this.#declared.keys()].filter((type) => !this.#descriptions.has(type));
    for (const type of dropped) this.#declared.delete(type);
    for (const type of this.#descriptions.keys()) {
      const entry = this.#declared.get(type);
      if (entry === undefined) this.#declared.set(type, newEntry());
      else entry.dirty = true;
    }
    return dropped;
  }

  #touch(entry: Entry, publisher: string, invalid: boolean): void {
    if (invalid) entry.invalid++;
    else entry.count++;
    entry.lastSeen = Date.now();
    if (entry.publishers.size < MAX_PUBLISHERS) entry.publishers.add(publisher);
    entry.dirty = true;
  }

  declared(type: string, publisher: string, invalid = false): void {
    let entry = this.#declared.get(type);
    if (entry === undefined) this.#declared.set(type, (entry = newEntry()));
    this.#touch(entry, publisher, invalid);
  }

  undeclared(topic: string, publisher: string, invalid = false): void {
    let entry = this.#undeclared.get(topic);
    if (entry === undefined) {
      const key = this.#undeclared.size >= MAX_UNDECLARED_TOPICS ? OTHER : topic;
      entry = this.#undeclared.get(key);
      if (entry === undefined) this.#undeclared.set(key, (entry = newEntry()));
    }
    this.#touch(entry, publisher, invalid);
  }

  /**
   * Valid messages counted per declared event type (every declared type, zeros included, so a
   * service that goes quiet shows as a flat counter rather than a missing one), and the total of
   * undeclared topics under the type `undeclared`. For `/metrics`.
   */
  counts(): { service: string; type: string; count: number }[] {
    const counts = [...this.#declared].map(([type, entry]) => ({
      service: type.slice(0, type.indexOf('.')),
      type,
      count: entry.count,
    }));
    let undeclared = 0;
    for (const entry of this.#undeclared.values()) undeclared += entry.count;
    counts.push({ service: 'undeclared', type: 'undeclared', count: undeclared });
    return counts;
  }

  /** Records changed since the last snapshot (all of them when `all`). */
  snapshot(node: string, all = false): CatalogueRecord[] {
    const now = Date.now();
    const seconds = Math.max((now - this.#lastSnapshot) / 1000, 0.001);
    this.#lastSnapshot = now;
    const records: CatalogueRecord[] = [];
    const emit = (kind: CatalogueRecord['kind'], name: string, entry: Entry): void => {
      const rate = (entry.count - entry.countAtLastPublish) / seconds;
      if (!entry.dirty && !all && rate === 0) return;
      entry.countAtLastPublish = entry.count;
      entry.dirty = false;
      const eventType = kind === 'declared' ? this.#descriptions.get(name) : undefined;
      records.push({
        kind,
        name,
        node,
        count: entry.count,
        invalid: entry.invalid,
        rate: Math.round(rate * 100) / 100,
        lastSeen: entry.lastSeen === 0 ? null : new Date(entry.lastSeen).toISOString(),
        publishers: [...entry.publishers].sort(),
        ...(eventType ? { deprecated: eventType.deprecated, description: eventType.description } : {}),
      });
    };
    for (const [name, entry] of this.#declared) emit('declared', name, entry);
    for (const [name, entry] of this.#undeclared) emit('undeclared', name, entry);
    return records;
  }
}

/** `$firehose/catalogue/<node>/declared/<type>` or `…/undeclared/<topic levels>`. */
export function catalogueTopic(record: Pick<CatalogueRecord, 'kind' | 'name' | 'node'>): string {
  return `$firehose/catalogue/${record.node}/${record.kind}/${record.name}`;
}
