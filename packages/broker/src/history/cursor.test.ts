import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, isCursor, MAX_RUN, nextRun, runStart } from './cursor.js';
import { Sequence } from './sequence.js';

describe('history cursor', () => {
  it('is fixed width and compares as strings in sequence order, across runs', () => {
    const a = new Sequence(5);
    const b = new Sequence(6);
    const cursors = [a.next(), a.next(), b.next()].map(encodeCursor);
    expect(cursors.every((c) => c.length === 16)).toBe(true);
    expect([...cursors].sort()).toEqual(cursors);
    expect(cursors[2]! > cursors[1]!).toBe(true);
    expect(decodeCursor(cursors[2]!)).toBe(runStart(6));
  });

  it('refuses what is not a cursor', () => {
    for (const bad of ['', 'abc', '000000000000000G', '8000000000000000', 'F000000000000000', 'x'.repeat(16)])
      expect(isCursor(bad)).toBe(false);
  });

  it('takes a run past the stored one and never below the minutes since 2025', () => {
    const now = Date.UTC(2026, 0, 1);
    const minutes = (now - Date.UTC(2025, 0, 1)) / 60_000;
    expect(nextRun(0, now)).toBe(minutes);
    expect(nextRun(minutes + 10, now)).toBe(minutes + 11);
    expect(() => nextRun(MAX_RUN, now)).toThrow(RangeError);
  });
});
