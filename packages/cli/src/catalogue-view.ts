import type { CatalogueRecord } from '@firehose/broker';
import type { Catalogue } from '@firehose/schema';

/** What the broker reported for one event type or topic, merged over cluster nodes. */
export interface Observed {
  count: number;
  invalid: number;
  /** Messages per second over the broker's last catalogue interval (summed over nodes). */
  rate: number;
  lastSeen: string | null;
  publishers: string[];
  nodes: string[];
}

interface DeclaredRow {
  type: string;
  service: string;
  event: string;
  version: number;
  template: string;
  deprecated: boolean;
  description: string;
  observed: Observed;
}

interface UndeclaredRow {
  topic: string;
  observed: Observed;
}

export interface CatalogueView {
  declared: DeclaredRow[];
  undeclared: UndeclaredRow[];
  /** Catalogue records received from the broker (0: catalogue off, or nothing retained yet). */
  records: number;
}

/**
 * Parses one retained `$firehose/catalogue/<node>/<kind>/<name>` payload; `undefined` for anything
 * that is not a catalogue record (so a newer broker's extra records do not break `topics`).
 */
export function parseCatalogueRecord(payload: Uint8Array): CatalogueRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if ((record.kind !== 'declared' && record.kind !== 'undeclared') || typeof record.name !== 'string')
    return undefined;
  const number = (key: string): number => (typeof record[key] === 'number' ? record[key] : 0);
  return {
    kind: record.kind,
    name: record.name,
    node: typeof record.node === 'string' ? record.node : '?',
    count: number('count'),
    invalid: number('invalid'),
    rate: number('rate'),
    lastSeen: typeof record.lastSeen === 'string' ? record.lastSeen : null,
    publishers: Array.isArray(record.publishers)
      ? record.publishers.filter((p): p is string => typeof p === 'string')
      : [],
  };
}

const empty = (): Observed => ({ count: 0, invalid: 0, rate: 0, lastSeen: null, publishers: [], nodes: [] });

/**
 * The declared event types of `catalogue` (the built-in services, plus the site's own the broker
 * published on `$firehose/services`) side by side with what the broker observed. Records of one
 * name from several nodes are summed (each node counts only what it received).
 */
export function buildCatalogueView(records: readonly CatalogueRecord[], catalogue: Catalogue): CatalogueView {
  const declared = new Map<string, Observed>();
  const undeclared = new Map<string, Observed>();
  for (const record of records) {
    const map = record.kind === 'declared' ? declared : undeclared;
    const observed = map.get(record.name) ?? empty();
    observed.count += record.count;
    observed.invalid += record.invalid;
    observed.rate = Math.round((observed.rate + record.rate) * 100) / 100;
    if (record.lastSeen !== null && (observed.lastSeen === null || record.lastSeen > observed.lastSeen))
      observed.lastSeen = record.lastSeen;
    observed.publishers = [...new Set([...observed.publishers, ...record.publishers])].sort();
    observed.nodes = [...new Set([...observed.nodes, record.node])].sort();
    map.set(record.name, observed);
  }
  return {
    declared: catalogue.eventTypes.map((eventType) => ({
      type: eventType.type,
      service: eventType.service,
      event: eventType.event,
      version: eventType.version,
      template: eventType.template.pattern,
      deprecated: eventType.deprecated,
      description: eventType.description,
      observed: declared.get(eventType.type) ?? empty(),
    })),
    undeclared: [...undeclared]
      .map(([topic, observed]) => ({ topic, observed }))
      .sort((a, b) => b.observed.count - a.observed.count || a.topic.localeCompare(b.topic)),
    records: records.length,
  };
}
