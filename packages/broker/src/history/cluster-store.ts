import type { HistoryStore, StoreBounds } from './history-store.js';
import type { PostgresArchive } from './postgres-archive.js';
import type { ArchiveQuery, ArchiveRow } from './query.js';
import type { RedisStreamLog } from './redis-stream-log.js';
import { ARCHIVE_GROUP } from './stream-archiver.js';
import { firstSeqAt, lastSeqAt, MAX_SEQ } from './stream-id.js';

/** Longest a read waits for the archiver to store what the stream trimmed (a batch in flight). */
const SEAM_WAIT_MS = 5000;
const SEAM_POLL_MS = 25;

type Page = { rows: ArchiveRow[]; next: bigint | null };

/**
 * A cluster's history with a deep archive (docs/architecture.md#cluster-history): the Redis Stream
 * holds the newest events, PostgreSQL everything the stream trimmed. The seam is the stream's
 * oldest entry B: events before it are read from PostgreSQL, from it on from the stream, so a
 * page, a cursor and a `/v1/stream` catch-up run across both in one order, and a client cannot
 * tell which store answered.
 */
export class ClusterHistoryStore implements HistoryStore {
  readonly #log: RedisStreamLog;
  readonly #archive: PostgresArchive;

  constructor(log: RedisStreamLog, archive: PostgresArchive) {
    this.#log = log;
    this.#archive = archive;
  }

  get lastSeq(): bigint {
    return this.#log.lastSeq;
  }

  settled(): Promise<void> {
    return this.#log.settled();
  }

  caughtUp(): Promise<void> {
    return this.#log.caughtUp();
  }

  /** The seam: the stream's oldest entry (past every seq when the stream is empty). */
  async #seam(): Promise<bigint> {
    return (await this.#log.firstSeq()) ?? MAX_SEQ;
  }

  /**
   * Waits until every entry before `seam` that an archiver read is in PostgreSQL: an entry the
   * stream trimmed while its batch was being inserted would otherwise be in neither store.
   */
  async #archivedBefore(seam: bigint): Promise<void> {
    const until = Date.now() + SEAM_WAIT_MS;
    for (;;) {
      const pending = await this.#log.oldestPending(ARCHIVE_GROUP);
      if (pending === undefined || pending >= seam) return;
      if (Date.now() > until)
        throw new Error(
          'history: the deep archive (history.postgres) has not stored events the stream has trimmed; PostgreSQL is behind or away',
        );
      await new Promise((resolve) => setTimeout(resolve, SEAM_POLL_MS));
    }
  }

  search(q: ArchiveQuery): Promise<Page> {
    return q.order === 'asc' ? this.#ascending(q) : this.#descending(q);
  }

  /** PostgreSQL up to the seam, then the stream; what the stream trimmed meanwhile from PostgreSQL. */
  async #ascending(q: ArchiveQuery): Promise<Page> {
    const lo = max(q.after === undefined ? 0n : q.after + 1n, q.from === undefined ? 0n : firstSeqAt(q.from));
    const hi = min(q.until ?? MAX_SEQ, q.to === undefined ? MAX_SEQ : lastSeqAt(q.to));
    const seam = await this.#seam();
    let rows: ArchiveRow[] = [];
    if (lo < seam) {
      await this.#archivedBefore(seam);
      const page = await this.#archive.search({ ...q, until: min(hi, seam - 1n) });
      if (page.next !== null || hi < seam) return page;
      rows = page.rows;
    }
    const limit = q.limit - rows.length;
    const after = q.after === undefined ? seam - 1n : max(q.after, seam - 1n);
    const stream = await this.#log.search({ ...q, after, limit });
    const moved = await this.#seam();
    if (moved === seam || moved === MAX_SEQ) return { rows: [...rows, ...stream.rows], next: stream.next };
    // The stream was trimmed past `seam` while it was read: the entries between were archived.
    await this.#archivedBefore(moved);
    const end = min(moved - 1n, hi, stream.next ?? MAX_SEQ);
    const gap = await this.#archive.search({ ...q, after, until: end, limit });
    const merged = mergeAscending(gap.rows, stream.rows).slice(0, limit);
    const full = merged.length === limit;
    let next: bigint | null;
    if (gap.next !== null) next = gap.next;
    else if (full) next = merged.at(-1)!.seq;
    else next = stream.next;
    const clipped = gap.next === null ? merged : merged.filter((row) => row.seq <= gap.next!);
    return { rows: [...rows, ...clipped], next };
  }

  /** The stream down to its oldest entry, then PostgreSQL below what the stream covered. */
  async #descending(q: ArchiveQuery): Promise<Page> {
    const stream = await this.#log.search(q);
    if (stream.next !== null) return stream;
    const seam = await this.#seam();
    const lowest = stream.rows.at(-1)?.seq ?? MAX_SEQ;
    const below = min(seam, lowest, q.after ?? MAX_SEQ);
    const lo = q.from === undefined ? 0n : firstSeqAt(q.from);
    if (below <= lo) return stream;
    await this.#archivedBefore(below);
    const page = await this.#archive.search({ ...q, after: below, limit: q.limit - stream.rows.length });
    return { rows: [...stream.rows, ...page.rows], next: page.next };
  }

  async get(by: { seq: bigint } | { id: string }): Promise<ArchiveRow | undefined> {
    // By CloudEvents id: PostgreSQL's index first (the oldest such event), then the stream's scan.
    if ('id' in by) return (await this.#archive.get(by)) ?? this.#log.get(by);
    return (await this.#log.get(by)) ?? this.#archive.get(by);
  }

  /** Oldest from PostgreSQL, newest from the stream; the stream's alone while PostgreSQL is away. */
  async bounds(): Promise<StoreBounds> {
    const stream = await this.#log.bounds();
    let deep: StoreBounds;
    try {
      deep = await this.#archive.bounds();
    } catch {
      return { ...stream, droppedThrough: undefined };
    }
    const oldest = deep.oldest ?? stream.oldest;
    return {
      oldest,
      oldestTime: deep.oldest === undefined ? stream.oldestTime : deep.oldestTime,
      newest: stream.newest ?? deep.newest,
      droppedThrough: deep.droppedThrough,
    };
  }
}

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (...values: bigint[]): bigint => values.reduce((a, b) => (a < b ? a : b));

/** Two ascending row lists as one, each seq once. */
function mergeAscending(a: ArchiveRow[], b: ArchiveRow[]): ArchiveRow[] {
  const out: ArchiveRow[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]!.seq <= b[j]!.seq) ? a[i++]! : b[j++]!;
    if (out.at(-1)?.seq !== next.seq) out.push(next);
  }
  return out;
}
