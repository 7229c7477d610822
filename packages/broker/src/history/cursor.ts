/**
 * The history cursor (docs/architecture.md#history): an event's sequence number as 16 lower-case
 * hex digits, so cursors compare as strings in the order the broker accepted the events. The
 * number is `run * 2^RUN_SHIFT + n`: `run` is taken anew, and durably, at every broker start
 * (never below the minutes since 2025, so a wiped archive does not reissue old cursors either), and
 * `n` counts the run's events from 1. It fits SQLite's signed 64-bit INTEGER as it is.
 */

/** Bits of the per-run counter: 2^39 ≈ 5.5·10^11 events per run (200 days at 30,000/s). */
export const RUN_SHIFT = 39n;
/** Largest run number: 2^24 - 1 (minutes since 2025 reach it in the year 2056). */
export const MAX_RUN = (1 << 24) - 1;
/** Largest per-run counter. */
export const MAX_IN_RUN = (1n << RUN_SHIFT) - 1n;

const WIDTH = 16;
const CURSOR = /^[0-9a-f]{16}$/;

/** The sequence number of the first event of `run`. */
export function runStart(run: number): bigint {
  return (BigInt(run) << RUN_SHIFT) + 1n;
}

/** The cursor of a sequence number. */
export function encodeCursor(seq: bigint): string {
  return seq.toString(16).padStart(WIDTH, '0');
}

/** The sequence number of a cursor, or `undefined` when the string is not one. */
export function decodeCursor(cursor: string): bigint | undefined {
  if (!CURSOR.test(cursor)) return undefined;
  const seq = BigInt(`0x${cursor}`);
  // The top bit is never set: SQLite's INTEGER is signed.
  return seq >> 63n === 0n ? seq : undefined;
}

/** Whether a string has the shape of a cursor (CloudEvents ids are told apart by this). */
export function isCursor(value: string): boolean {
  return decodeCursor(value) !== undefined;
}

/** The run a new broker process takes: past the stored one, and never below minutes since 2025. */
export function nextRun(storedRun: number, now = Date.now()): number {
  const minutes = Math.floor((now - Date.UTC(2025, 0, 1)) / 60_000);
  const run = Math.max(storedRun + 1, minutes);
  if (run > MAX_RUN) throw new RangeError(`history run ${run} exceeds ${MAX_RUN}`);
  return run;
}
