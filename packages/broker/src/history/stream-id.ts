/**
 * Redis Stream ids as history sequence numbers (docs/architecture.md#cluster-history). A stream id
 * is `<ms>-<n>`: the milliseconds Redis stamped on the entry and a counter within that
 * millisecond. The sequence number is `ms * 2^SEQ_BITS + n`, so it orders exactly like the ids,
 * fits the 63 bits of the single node's cursor (16 hex digits, compared as strings) and a client
 * cannot tell a cluster's cursor from a single node's.
 */

import type { ArchiveQuery } from './query.js';

/** Bits for the counter within one millisecond: 2,097,151 entries per ms at most. */
const SEQ_BITS = 21n;
const MAX_N = (1n << SEQ_BITS) - 1n;
/** 42 bits of milliseconds reach the year 2109. */
const MAX_MS = (1n << 42n) - 1n;
const STREAM_ID = /^(\d{1,16})-(\d{1,20})$/;

/** The sequence number of a stream id, or undefined when it has no place in 63 bits. */
export function streamIdToSeq(id: string): bigint | undefined {
  const match = STREAM_ID.exec(id);
  if (match === null) return undefined;
  const ms = BigInt(match[1]!);
  const n = BigInt(match[2]!);
  if (ms > MAX_MS || n > MAX_N) return undefined;
  return (ms << SEQ_BITS) | n;
}

/** The stream id of a sequence number (any 63-bit number names one). */
export function seqToStreamId(seq: bigint): string {
  return `${seq >> SEQ_BITS}-${seq & MAX_N}`;
}

/** The first sequence number of a millisecond. */
export function firstSeqAt(ms: number): bigint {
  return BigInt(Math.max(0, Math.floor(ms))) << SEQ_BITS;
}

/** The last sequence number of a millisecond. */
export function lastSeqAt(ms: number): bigint {
  return firstSeqAt(ms) | MAX_N;
}

/** The millisecond of a sequence number. */
export function msOfSeq(seq: bigint): number {
  return Number(seq >> SEQ_BITS);
}

/** The largest sequence number (the top bit of 64 stays clear, like the single node's). */
export const MAX_SEQ = (1n << 63n) - 1n;

/**
 * The sequence numbers a search may read, both ends included: its time window, narrowed by the
 * cursor it continues from (`after`, exclusive, in the search's order) and by `until`.
 */
export function seqRange(q: ArchiveQuery): { lo: bigint; hi: bigint } {
  let lo = q.from === undefined ? 0n : firstSeqAt(q.from);
  let hi = q.to === undefined ? MAX_SEQ : lastSeqAt(q.to);
  if (q.after !== undefined) {
    if (q.order === 'asc' && q.after + 1n > lo) lo = q.after + 1n;
    if (q.order !== 'asc' && q.after - 1n < hi) hi = q.after - 1n;
  }
  if (q.until !== undefined && q.until < hi) hi = q.until;
  return { lo, hi };
}
