import pg from 'pg';
import type { Catalogue } from '@firehose/schema';
import type { Logger } from '../logger.js';
import { declaredKeys } from './declared-keys.js';
import { compileFilters } from './event-filter.js';
import type { StoreBounds } from './history-store.js';
import type { ArchiveQuery, ArchiveRow } from './query.js';
import { firstSeqAt, msOfSeq, seqRange } from './stream-id.js';

/** One event as the archiver hands it over: its stream id as a sequence number, topic, JSON text. */
export interface ArchivedEvent {
  seq: bigint;
  topic: string;
  text: string;
  event: Record<string, unknown>;
}

export interface PostgresArchiveOptions {
  url: string;
  /** Seconds an event is kept; older monthly partitions are dropped whole. */
  maxAge: number;
  logger: Logger;
  /**
   * Every declared service, built-in and site: their keys get a column index at start (keys a
   * catalogue reload adds are searched, unindexed, until the next), and searches read by them.
   */
  events: () => Catalogue;
}

const TABLE = 'firehose_events';
const META = 'firehose_history_meta';
/** Rows one search query fetches at a time. */
const CHUNK = 500;
/** Every node takes this advisory lock for schema and partition changes, so they never race. */
const SCHEMA_LOCK = 7_215_401;
/** How often retention looks for partitions past `maxAge`. */
const RETENTION_MS = 3_600_000;

/** `firehose_events_2026_12` and its seq range: the month's first id to the next month's. */
function partitionOf(ms: number): { name: string; from: bigint; to: bigint } {
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  return {
    name: `${TABLE}_${year}_${String(month + 1).padStart(2, '0')}`,
    from: firstSeqAt(Date.UTC(year, month, 1)),
    to: firstSeqAt(Date.UTC(year, month + 1, 1)),
  };
}

const PARTITION_NAME = /^firehose_events_(\d{4})_(\d{2})$/;

/** jsonb refuses U+0000, which a JSON string may carry as an escape. */
const keyText = (value: string): string => value.replaceAll('\u0000', '');

const serviceOf = (topic: string): string => topic.split('/', 1)[0]!;

/**
 * The deep archive of a cluster's history (docs/architecture.md#cluster-history): one PostgreSQL
 * table partitioned by month (by range of sequence number, which is the stream id and begins with
 * its millisecond), keyed by the sequence number so a re-delivered batch inserts nothing twice,
 * with a b-tree per declared search key and a BRIN index on time.
 */
export class PostgresArchive {
  readonly #pool: pg.Pool;
  readonly #options: PostgresArchiveOptions;
  readonly #partitions = new Set<string>();
  readonly url: string;
  #retention: NodeJS.Timeout | undefined;
  #ready: Promise<void> | undefined;

  constructor(options: PostgresArchiveOptions) {
    this.#options = options;
    this.url = options.url;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: 4,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 10_000,
      keepAlive: true,
      application_name: 'firehose-broker',
    });
    // An idle connection that breaks (PostgreSQL restarted) is dropped by the pool; the next query
    // opens another. Unheard, the error would end the process.
    this.#pool.on('error', (error) =>
      options.logger.debug({ err: error }, 'history: postgres connection lost'),
    );
  }

  /**
   * Creates the schema when it is missing (once, whichever node gets the lock first). Resolves when
   * done; until PostgreSQL answers, every use waits for it and retries (`ready()`).
   */
  ready(): Promise<void> {
    this.#ready ??= this.#setUp().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #setUp(): Promise<void> {
    const keyNames = new Set<string>();
    for (const keys of Object.values(declaredKeys(this.#options.events().services)))
      for (const name of Object.keys(keys)) keyNames.add(name);
    await this.#locked(async (client) => {
      await client.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (
        seq bigint PRIMARY KEY, time timestamptz NOT NULL, topic text NOT NULL, service text NOT NULL,
        type text, id text, keys jsonb NOT NULL DEFAULT '{}', event text NOT NULL
      ) PARTITION BY RANGE (seq)`);
      await client.query(`CREATE INDEX IF NOT EXISTS ${TABLE}_type ON ${TABLE} (type, seq)`);
      await client.query(`CREATE INDEX IF NOT EXISTS ${TABLE}_service ON ${TABLE} (service, seq)`);
      await client.query(`CREATE INDEX IF NOT EXISTS ${TABLE}_id ON ${TABLE} (id)`);
      await client.query(`CREATE INDEX IF NOT EXISTS ${TABLE}_time ON ${TABLE} USING brin (time)`);
      // Declared key names are /^[a-z][a-z0-9_]*$/ (contract A): safe as identifiers and literals.
      for (const name of keyNames)
        await client.query(
          `CREATE INDEX IF NOT EXISTS ${TABLE}_key_${name} ON ${TABLE} ((keys->>'${name}'), seq)`,
        );
      await client.query(`CREATE TABLE IF NOT EXISTS ${META} (name text PRIMARY KEY, value bigint NOT NULL)`);
    });
    if (this.#retention === undefined) {
      this.#retention = setInterval(() => void this.retain().catch(() => undefined), RETENTION_MS);
      this.#retention.unref();
      void this.retain().catch(() => undefined);
    }
  }

  async #locked(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async #ensurePartitions(events: readonly ArchivedEvent[]): Promise<void> {
    const wanted = new Map<string, { from: bigint; to: bigint }>();
    for (const { seq } of events) {
      const partition = partitionOf(msOfSeq(seq));
      if (!this.#partitions.has(partition.name)) wanted.set(partition.name, partition);
    }
    if (wanted.size === 0) return;
    await this.#locked(async (client) => {
      for (const [name, { from, to }] of wanted)
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${TABLE} FOR VALUES FROM (${from}) TO (${to})`,
        );
    });
    for (const name of wanted.keys()) this.#partitions.add(name);
  }

  /** Resolves when PostgreSQL answers a query (and the schema is there). */
  async ping(): Promise<void> {
    await this.ready();
    await this.#pool.query('SELECT 1');
  }

  /** Inserts a batch; an event already there (a re-delivered batch) is skipped. */
  async insert(events: readonly ArchivedEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    await this.ready();
    await this.#ensurePartitions(events);
    const keys = declaredKeys(this.#options.events().services);
    const columns: string[][] = [[], [], [], [], [], [], [], []];
    for (const { seq, topic, text, event } of events) {
      const type = typeof event.type === 'string' ? event.type : null;
      const found: Record<string, string> = {};
      for (const [name, path] of Object.entries(type === null ? {} : (keys[type] ?? {}))) {
        const value = readPath(event.data, path);
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
          found[name] = keyText(String(value));
      }
      columns[0]!.push(String(seq));
      columns[1]!.push(String(msOfSeq(seq)));
      columns[2]!.push(topic);
      columns[3]!.push(serviceOf(topic));
      columns[4]!.push(type as string);
      columns[5]!.push((typeof event.id === 'string' ? event.id : null) as string);
      columns[6]!.push(JSON.stringify(found));
      columns[7]!.push(text);
    }
    const result = await this.#pool.query(
      `INSERT INTO ${TABLE} (seq, time, topic, service, type, id, keys, event)
       SELECT s, to_timestamp(t / 1000.0), tp, sv, ty, i, k::jsonb, e
       FROM unnest($1::bigint[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
         AS u(s, t, tp, sv, ty, i, k, e)
       ON CONFLICT (seq) DO NOTHING`,
      columns,
    );
    return result.rowCount ?? 0;
  }

  async search(q: ArchiveQuery): Promise<{ rows: ArchiveRow[]; next: bigint | null }> {
    await this.ready();
    const started = Date.now();
    const asc = q.order === 'asc';
    let { lo, hi } = seqRange(q);
    const rows: ArchiveRow[] = [];
    const test = compileFilters({ ...q, where: undefined }, this.#options.events());
    // Indexed conditions in SQL; the topic filter (and anything else) checked here on each row.
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const literal = q.topic?.split('/', 1)[0];
    const service =
      q.service ?? (literal === undefined || literal === '+' || literal === '#' ? undefined : literal);
    if (service !== undefined) where.push(`service = ${param(service)}`);
    if (q.types !== undefined && q.types.length > 0) where.push(`type = ANY(${param(q.types)}::text[])`);
    const keyNames = new Set(
      Object.values(declaredKeys(this.#options.events().services)).flatMap((keys) => Object.keys(keys)),
    );
    for (const [name, value] of q.keys) {
      if (!keyNames.has(name)) return { rows, next: null };
      where.push(`keys->>'${name}' = ${param(value)}`);
    }
    const loParam = params.length + 1;
    const sql = `SELECT seq, topic, type, event FROM ${TABLE}
      WHERE seq BETWEEN $${loParam} AND $${loParam + 1}${where.map((c) => ` AND ${c}`).join('')}
      ORDER BY seq ${asc ? 'ASC' : 'DESC'} LIMIT $${loParam + 2}`;
    let scanned = 0;
    let last: bigint | undefined;
    while (lo <= hi) {
      if (last !== undefined && (scanned >= q.scanBudget || Date.now() - started > q.timeBudgetMs))
        return { rows, next: last };
      const want = Math.min(CHUNK, q.scanBudget - scanned);
      const result = await this.#pool.query<{
        seq: string;
        topic: string;
        type: string | null;
        event: string;
      }>(sql, [...params, String(lo), String(hi), want]);
      for (const row of result.rows) {
        const seq = BigInt(row.seq);
        scanned++;
        last = seq;
        let event: Record<string, unknown>;
        try {
          event = JSON.parse(row.event) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (!test({ topic: row.topic, event })) continue;
        rows.push({ seq, topic: row.topic, type: row.type, event: row.event });
        if (rows.length >= q.limit) return { rows, next: seq };
      }
      if (result.rows.length < want || last === undefined) return { rows, next: null };
      if (asc) lo = last + 1n;
      else hi = last - 1n;
    }
    return { rows, next: null };
  }

  async get(by: { seq: bigint } | { id: string }): Promise<ArchiveRow | undefined> {
    await this.ready();
    const result =
      'seq' in by
        ? await this.#pool.query<{ seq: string; topic: string; type: string | null; event: string }>(
            `SELECT seq, topic, type, event FROM ${TABLE} WHERE seq = $1`,
            [String(by.seq)],
          )
        : await this.#pool.query<{ seq: string; topic: string; type: string | null; event: string }>(
            `SELECT seq, topic, type, event FROM ${TABLE} WHERE id = $1 ORDER BY seq LIMIT 1`,
            [by.id],
          );
    const row = result.rows[0];
    return row === undefined
      ? undefined
      : { seq: BigInt(row.seq), topic: row.topic, type: row.type, event: row.event };
  }

  async bounds(): Promise<StoreBounds> {
    await this.ready();
    const result = await this.#pool.query<{
      oldest: string | null;
      newest: string | null;
      dropped: string | null;
    }>(
      `SELECT (SELECT min(seq) FROM ${TABLE}) AS oldest, (SELECT max(seq) FROM ${TABLE}) AS newest,
        (SELECT value FROM ${META} WHERE name = 'dropped_through') AS dropped`,
    );
    const row = result.rows[0]!;
    const oldest = row.oldest === null ? undefined : BigInt(row.oldest);
    return {
      oldest,
      oldestTime: oldest === undefined ? undefined : msOfSeq(oldest),
      newest: row.newest === null ? undefined : BigInt(row.newest),
      droppedThrough: row.dropped === null ? undefined : BigInt(row.dropped),
    };
  }

  /** Drops every monthly partition that ends before `maxAge` ago, noting the last seq it held. */
  async retain(now = Date.now()): Promise<void> {
    await this.ready();
    const cutoff = firstSeqAt(now - this.#options.maxAge * 1000);
    await this.#locked(async (client) => {
      const result = await client.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1`,
        [TABLE],
      );
      for (const { name } of result.rows) {
        const match = PARTITION_NAME.exec(name);
        if (match === null) continue;
        const { to } = partitionOf(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
        if (to > cutoff) continue;
        await client.query(`DROP TABLE IF EXISTS ${name}`);
        await client.query(
          `INSERT INTO ${META} (name, value) VALUES ('dropped_through', $1)
           ON CONFLICT (name) DO UPDATE SET value = greatest(${META}.value, excluded.value)`,
          [String(to - 1n)],
        );
        this.#partitions.delete(name);
        this.#options.logger.info({ partition: name }, 'history: oldest archive month dropped');
      }
    });
  }

  async close(): Promise<void> {
    clearInterval(this.#retention);
    await this.#pool.end();
  }
}

function readPath(root: unknown, path: string): unknown {
  let current = root;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
