import { FirehoseError } from '@firehose/protocol';

/**
 * Where a history read starts or stops: a cursor (from a record or a page's `next`), a `Date`, an
 * ISO 8601 time, or a duration back from now (`2h`, `-30m`, `7d`, `90s`).
 */
export type HistoryPosition = string | Date;

export type ResolvedPosition =
  | { readonly kind: 'cursor'; readonly cursor: string }
  /** `time` as the API reads it: ISO 8601, or relative with a leading minus (`-2h`). */
  | { readonly kind: 'time'; readonly time: string };

const RELATIVE = /^-?(\d+)(s|m|h|d|w)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:$|[T ])/;
const WEEK_DAYS = 7;

/**
 * Sorts a `since`/`until` value into a cursor or a time. Cursors are opaque, so anything that is not
 * a `Date`, a date-time or a duration is taken as one; the broker says so if it is not.
 * @throws FirehoseError `INVALID_CONFIG` naming `name` for an empty string, an invalid Date or an unreadable date-time.
 */
export function resolvePosition(value: HistoryPosition, name: string): ResolvedPosition {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new FirehoseError(
        'INVALID_CONFIG',
        `${name} is an invalid Date; pass a valid Date, a cursor, an ISO time or a duration like 2h.`,
        {
          path: name,
        },
      );
    return { kind: 'time', time: value.toISOString() };
  }
  if (typeof value !== 'string' || value.trim() === '')
    throw new FirehoseError(
      'INVALID_CONFIG',
      `${name} must be a cursor, a Date, an ISO 8601 time or a duration like 2h, 30m or 7d; got ${JSON.stringify(value)}.`,
      { path: name },
    );
  const relative = RELATIVE.exec(value);
  if (relative !== null) {
    const [, amount, unit] = relative as unknown as [string, string, string];
    // The API knows s, m, h and d; weeks are spelled in days.
    return { kind: 'time', time: unit === 'w' ? `-${Number(amount) * WEEK_DAYS}d` : `-${amount}${unit}` };
  }
  if (ISO_DATE.test(value)) {
    const parsed = new Date(value);
    if (Number.isNaN(parsed.getTime()))
      throw new FirehoseError(
        'INVALID_CONFIG',
        `${name} ${JSON.stringify(value)} is not a valid ISO 8601 time; e.g. 2026-12-07T08:00:00Z.`,
        {
          path: name,
        },
      );
    return { kind: 'time', time: parsed.toISOString() };
  }
  return { kind: 'cursor', cursor: value };
}
