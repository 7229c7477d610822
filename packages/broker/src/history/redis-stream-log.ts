import type { Redis } from 'ioredis';
import type { Catalogue } from '@firehose/schema';
import type { Logger } from '../logger.js';
import { compileFilters } from './event-filter.js';
import type { HistoryStore, StoreBounds } from './history-store.js';
import type { LiveHub } from './live-hub.js';
import type { ArchiveQuery, ArchiveRow } from './query.js';
import { PAYLOAD_FIELD, TOPIC_FIELD, entryFields, jsonObject, mayBeJsonObject } from './stream-entry.js';
import { MAX_SEQ, msOfSeq, seqRange, seqToStreamId, streamIdToSeq } from './stream-id.js';
import { StreamTail } from './stream-tail.js';

/** The stream's key, in the persistence's Redis database. */
export const HISTORY_STREAM_KEY = 'firehose:history';
/** Entries one XRANGE of a search asks for. */
const CHUNK = 500;
/** Overflow is logged at most this often (it is counted every time). */
const OVERFLOW_LOG_MS = 10_000;
/** Entries a CloudEvents id lookup scans at most (the stream has no index on ids). */
const ID_SCAN = 1_000_000;

export interface RedisStreamLogOptions {
  /** The connection that also carries mqemitter-redis' PUBLISH: an XADD goes before its PUBLISH. */
  writer: Redis;
  /** A connection for XRANGE (searches, catch-up). */
  reader: Redis;
  /** A connection of its own for the tail's blocking XREAD. */
  tail: Redis;
  hub: LiveHub;
  /** Entries the stream keeps, about (`XADD … MAXLEN ~`). */
  maxLen: number;
  /** XADDs waiting for redis' answer, at most; past it events are delivered but not logged. */
  queue: number;
  logger: Logger;
  onOverflow: () => void;
  /** Every declared service, built-in and site: a search's keys are read by their declarations. */
  events: () => Catalogue;
  key?: string;
}

type Entry = [id: Buffer, fields: Buffer[]];

/**
 * The cluster's history log (docs/architecture.md#cluster-history): one Redis Stream that every
 * node appends each accepted event to, so the stream id, as the cursor, orders events
 * cluster-wide; searched with XRANGE, tailed for live readers with XREAD.
 */
export class RedisStreamLog implements HistoryStore {
  readonly #options: RedisStreamLogOptions;
  readonly #key: string;
  readonly #tail: StreamTail;
  #waiting = 0;
  /** The newest XADD's answer: one connection answers in order, so every earlier one is in too. */
  #lastWrite: Promise<unknown> = Promise.resolve();
  #lastOverflowLog = 0;
  #overflowSinceLog = 0;
  overflowed = 0;

  constructor(options: RedisStreamLogOptions) {
    this.#options = options;
    this.#key = options.key ?? HISTORY_STREAM_KEY;
    this.#tail = new StreamTail(options.tail, this.#key, options.hub, options.logger);
  }

  open(): Promise<void> {
    return this.#tail.start();
  }

  /**
   * Appends an accepted event; synchronous, never waits. The XADD is written on the emitter's
   * publishing connection just before the PUBLISH that delivers the event, so by the time the
   * publisher is acknowledged (after that PUBLISH is answered) the event is in the stream.
   */
  append(topic: string, payload: Buffer): void {
    if (!mayBeJsonObject(payload)) return;
    const { writer, maxLen, queue } = this.#options;
    if (this.#waiting >= queue) {
      this.#overflow('history queue full: events delivered but not logged (history.queue)');
      return;
    }
    this.#waiting++;
    this.#lastWrite = writer
      .xadd(this.#key, 'MAXLEN', '~', maxLen, '*', TOPIC_FIELD, topic, PAYLOAD_FIELD, payload)
      .then(
        () => this.#waiting--,
        () => {
          this.#waiting--;
          this.#overflow('history: an XADD failed; the event was delivered but not logged');
        },
      );
  }

  #overflow(message: string): void {
    this.overflowed++;
    this.#options.onOverflow();
    this.#overflowSinceLog++;
    const now = Date.now();
    if (now - this.#lastOverflowLog >= OVERFLOW_LOG_MS) {
      this.#options.logger.warn({ dropped: this.#overflowSinceLog }, message);
      this.#lastOverflowLog = now;
      this.#overflowSinceLog = 0;
    }
  }

  get lastSeq(): bigint {
    return this.#tail.lastSeq;
  }

  /** The tail read everything up to `lastSeq` from the stream itself: it is all readable there. */
  settled(): Promise<void> {
    return Promise.resolve();
  }

  caughtUp(): Promise<void> {
    return this.#lastWrite.then(() => undefined);
  }

  /** Entries in [lo, hi], in order, at most `count`. */
  #range(lo: bigint, hi: bigint, asc: boolean, count: number): Promise<Entry[]> {
    const { reader } = this.#options;
    return asc
      ? reader.xrangeBuffer(this.#key, seqToStreamId(lo), seqToStreamId(hi), 'COUNT', count)
      : reader.xrevrangeBuffer(this.#key, seqToStreamId(hi), seqToStreamId(lo), 'COUNT', count);
  }

  async search(q: ArchiveQuery): Promise<{ rows: ArchiveRow[]; next: bigint | null }> {
    const started = Date.now();
    const asc = q.order === 'asc';
    let { lo, hi } = seqRange(q);
    const rows: ArchiveRow[] = [];
    const test = compileFilters({ ...q, where: undefined }, this.#options.events());
    let scanned = 0;
    let last: bigint | undefined;
    while (lo <= hi) {
      // `next` is where the scan stopped: the budget spent, never a timeout.
      if (last !== undefined && (scanned >= q.scanBudget || Date.now() - started > q.timeBudgetMs))
        return { rows, next: last };
      const want = Math.min(CHUNK, q.scanBudget - scanned);
      const entries = await this.#range(lo, hi, asc, want);
      for (const [id, fields] of entries) {
        const seq = streamIdToSeq(id.toString());
        if (seq === undefined) continue;
        scanned++;
        last = seq;
        const row = rowOf(fields);
        if (row !== undefined && test({ topic: row.topic, event: row.value })) {
          rows.push({ seq, topic: row.topic, type: row.type, event: row.event });
          if (rows.length >= q.limit) return { rows, next: seq };
        }
      }
      if (entries.length < want || last === undefined) return { rows, next: null };
      if (asc) lo = last + 1n;
      else hi = last - 1n;
    }
    return { rows, next: null };
  }

  /** The oldest entry's sequence number (where the stream was trimmed to); undefined when empty. */
  async firstSeq(): Promise<bigint | undefined> {
    const [first] = await this.#options.reader.xrangeBuffer(this.#key, '-', '+', 'COUNT', 1);
    return first === undefined ? undefined : streamIdToSeq(first[0].toString());
  }

  /**
   * The oldest entry some node of the deep archive's consumer group read and has not acknowledged
   * (its batch is not in PostgreSQL yet); undefined when none is pending.
   */
  async oldestPending(group: string): Promise<bigint | undefined> {
    let summary: unknown[];
    try {
      summary = await this.#options.reader.xpending(this.#key, group);
    } catch (error) {
      if (error instanceof Error && /NOGROUP|no such key/i.test(error.message)) return undefined;
      throw error;
    }
    const [count, oldest] = summary;
    return Number(count) > 0 ? streamIdToSeq(idText(oldest)) : undefined;
  }

  async get(by: { seq: bigint } | { id: string }): Promise<ArchiveRow | undefined> {
    if ('seq' in by) {
      const [entry] = await this.#range(by.seq, by.seq, true, 1);
      const row = entry === undefined ? undefined : rowOf(entry[1]);
      return row === undefined
        ? undefined
        : { seq: by.seq, topic: row.topic, type: row.type, event: row.event };
    }
    // No index on ids in the stream: scan oldest first, matching the id's JSON text before parsing.
    const needle = Buffer.from(JSON.stringify(by.id));
    let lo = 0n;
    for (let scanned = 0; scanned < ID_SCAN;) {
      const entries = await this.#range(lo, MAX_SEQ, true, 5000);
      for (const [id, fields] of entries) {
        const seq = streamIdToSeq(id.toString());
        if (seq === undefined) continue;
        lo = seq + 1n;
        const entry = entryFields(fields);
        if (entry === undefined || !entry.payload.includes(needle)) continue;
        const row = rowOf(fields);
        if (row !== undefined && row.value.id === by.id)
          return { seq, topic: row.topic, type: row.type, event: row.event };
      }
      scanned += entries.length;
      if (entries.length < 5000) return undefined;
    }
    return undefined;
  }

  async bounds(): Promise<StoreBounds> {
    const { reader } = this.#options;
    let info: unknown[];
    try {
      info = (await reader.xinfo('STREAM', this.#key)) as unknown[];
    } catch (error) {
      // Before the first XADD there is no stream: nothing held, nothing dropped.
      if (error instanceof Error && /no such key/i.test(error.message))
        return { oldest: undefined, oldestTime: undefined, newest: undefined, droppedThrough: undefined };
      throw error;
    }
    const field = (name: string): unknown => info[info.indexOf(name) + 1];
    const first = field('first-entry') as [unknown, unknown] | null;
    const oldest = first === null ? undefined : streamIdToSeq(idText(first[0]));
    const newest = streamIdToSeq(idText(field('last-generated-id')));
    // Redis 7: the highest id XADD's MAXLEN trimmed away.
    const deleted = streamIdToSeq(idText(field('max-deleted-entry-id')));
    return {
      oldest,
      oldestTime: oldest === undefined ? undefined : msOfSeq(oldest),
      newest: newest === 0n ? undefined : newest,
      droppedThrough: deleted === undefined || deleted === 0n ? undefined : deleted,
    };
  }

  async close(): Promise<void> {
    await this.#tail.close();
    this.#options.reader.disconnect();
  }
}

/** A stream id in an XINFO answer; `0-0` when absent (Redis before 7 has no max-deleted-entry-id). */
function idText(value: unknown): string {
  if (typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? value.toString() : '0-0';
}

/** An entry as a search row: its topic, type and JSON text; undefined when it is not a JSON object. */
function rowOf(
  fields: Buffer[],
): { topic: string; type: string | null; event: string; value: Record<string, unknown> } | undefined {
  const entry = entryFields(fields);
  if (entry === undefined) return undefined;
  const json = jsonObject(entry.payload);
  if (json === undefined) return undefined;
  const type = typeof json.event.type === 'string' ? json.event.type : null;
  return { topic: entry.topic, type, event: json.text, value: json.event };
}
