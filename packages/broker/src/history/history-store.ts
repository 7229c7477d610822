import type { ArchiveQuery, ArchiveRow } from './query.js';

/** The oldest and newest events a store holds, and the last sequence number it dropped. */
export interface StoreBounds {
  oldest: bigint | undefined;
  /** Accept time of the oldest event, ms since the epoch. */
  oldestTime: number | undefined;
  newest: bigint | undefined;
  /** The last sequence number retention dropped (trimmed); undefined when none was. */
  droppedThrough: bigint | undefined;
}

/**
 * What the history endpoints read (docs/architecture.md#history): the single node's SQLite
 * `Archive` and the cluster's Redis Stream log (with its PostgreSQL deep archive) both implement
 * it, so `/v1/events` and `/v1/stream` answer the same whichever store is behind them.
 */
export interface HistoryStore {
  /**
   * The handover point of a stream reader: the last sequence number the live hub has published on
   * this node. A reader that joins the hub in the same synchronous step gets everything after it
   * live, and pages the store up to it.
   */
  readonly lastSeq: bigint;
  /** Resolves once every event up to `seq` can be read from the store (or never will be). */
  settled(seq: bigint): Promise<void>;
  /**
   * Resolves once every event this node accepted before the call can be read from the store (or
   * never will be), so a search right after a publish was acknowledged finds it.
   */
  caughtUp(): Promise<void>;
  search(query: ArchiveQuery): Promise<{ rows: ArchiveRow[]; next: bigint | null }>;
  get(by: { seq: bigint } | { id: string }): Promise<ArchiveRow | undefined>;
  bounds(): Promise<StoreBounds>;
}
