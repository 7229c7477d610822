/** Prefix of the broker's retained catalogue records. */
const CATALOGUE_PREFIX = '$firehose/catalogue/';

/** One line of the declared-vs-observed table. */
export interface CatalogueRow {
  /** The record's topic below the prefix: the key of the row. */
  readonly id: string;
  /** Event type (`gerrit.comment-added`) or, for undeclared traffic, the topic seen. */
  readonly name: string;
  readonly status: 'declared' | 'undeclared';
  readonly count: number;
  /** Messages per second, as the broker measured it. */
  readonly rate: number;
  readonly invalid: number;
  /** Milliseconds since the epoch, when known. */
  readonly lastSeen: number | undefined;
  readonly publishers: readonly string[];
}

type Json = Record<string, unknown>;

/**
 * Reads one retained `$firehose/catalogue/...` record. Field names are read leniently (the
 * broker's record shape may gain fields); an empty payload (a cleared retained record) or
 * non-JSON gives undefined.
 */
export function parseCatalogueRecord(topic: string, payload: string): CatalogueRow | undefined {
  if (!topic.startsWith(CATALOGUE_PREFIX) || payload.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Json;
  const id = topic.slice(CATALOGUE_PREFIX.length);
  const name = text(record, ['type', 'eventType', 'topic', 'pattern', 'name']) ?? id;
  const declaredFlag = record.declared;
  const statusText = text(record, ['status', 'kind']);
  const undeclared =
    declaredFlag === false ||
    statusText === 'undeclared' ||
    record.undeclared === true ||
    (declaredFlag === undefined && statusText === undefined && id.startsWith('undeclared/'));
  return {
    id,
    name,
    status: undeclared ? 'undeclared' : 'declared',
    count: number(record, ['count', 'messages', 'total']) ?? 0,
    rate: number(record, ['rate', 'ratePerSecond', 'msgPerSec', 'perSecond', 'messagesPerSecond']) ?? 0,
    invalid: number(record, ['invalid', 'invalidCount', 'invalidTotal']) ?? 0,
    lastSeen: time(record, ['lastSeen', 'lastSeenAt', 'last', 'updated']),
    publishers: strings(record.publishers),
  };
}

function text(record: Json, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

function number(record: Json, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
      return Number(value);
  }
  return undefined;
}

function time(record: Json, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value < 1e12 ? value * 1000 : value;
    if (typeof value === 'string') {
      const parsed = Date.parse(value);
      if (Number.isFinite(parsed)) return parsed;
    }
  }
  return undefined;
}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === 'string');
  if (typeof value === 'object' && value !== null) return Object.keys(value);
  return [];
}

/** Sorted for the table: problems first (invalid, then undeclared), then busiest. */
export function sortCatalogue(rows: Iterable<CatalogueRow>): CatalogueRow[] {
  const rank = (row: CatalogueRow) => (row.invalid > 0 ? 0 : row.status === 'undeclared' ? 1 : 2);
  return [...rows].sort((a, b) => rank(a) - rank(b) || b.count - a.count || a.name.localeCompare(b.name));
}

/** One service of the catalogue tree: its rows (sorted as `sortCatalogue`) and their totals. */
export interface CatalogueGroup {
  readonly service: string;
  readonly rows: readonly CatalogueRow[];
  readonly count: number;
  readonly rate: number;
  readonly invalid: number;
  readonly undeclared: number;
  readonly lastSeen: number | undefined;
}

/** The service of a row: the type's prefix (`gerrit.comment-added`) or the topic's first level. */
function serviceOfRow(row: CatalogueRow): string {
  const name = row.status === 'undeclared' ? row.name : (row.name.split('.')[0] ?? row.name);
  return name.split('/')[0] ?? name;
}

/** Rows grouped by service with per-service totals; services with problems first, then busiest. */
export function groupByService(rows: Iterable<CatalogueRow>): CatalogueGroup[] {
  const byService = new Map<string, CatalogueRow[]>();
  for (const row of sortCatalogue(rows)) {
    const service = serviceOfRow(row);
    const list = byService.get(service) ?? [];
    list.push(row);
    byService.set(service, list);
  }
  const groups = [...byService].map(([service, list]): CatalogueGroup => ({
    service,
    rows: list,
    count: list.reduce((sum, row) => sum + row.count, 0),
    rate: list.reduce((sum, row) => sum + row.rate, 0),
    invalid: list.reduce((sum, row) => sum + row.invalid, 0),
    undeclared: list.filter((row) => row.status === 'undeclared').length,
    lastSeen: list.reduce<number | undefined>(
      (latest, row) => (row.lastSeen === undefined ? latest : Math.max(latest ?? 0, row.lastSeen)),
      undefined,
    ),
  }));
  const problems = (group: CatalogueGroup) => (group.invalid > 0 ? 0 : group.undeclared > 0 ? 1 : 2);
  return groups.sort(
    (a, b) => problems(a) - problems(b) || b.count - a.count || a.service.localeCompare(b.service),
  );
}
