import { describe, expect, it } from 'vitest';
import { resolvePosition } from './history-position.js';

describe('resolvePosition', () => {
  it('reads durations back from now in the API spelling', () => {
    expect(resolvePosition('2h', 'since')).toEqual({ kind: 'time', time: '-2h' });
    expect(resolvePosition('-30m', 'since')).toEqual({ kind: 'time', time: '-30m' });
    expect(resolvePosition('90s', 'since')).toEqual({ kind: 'time', time: '-90s' });
    expect(resolvePosition('2w', 'since')).toEqual({ kind: 'time', time: '-14d' });
  });

  it('reads Dates and ISO times as UTC ISO times', () => {
    expect(resolvePosition(new Date('2026-12-07T08:00:00Z'), 'since')).toEqual({
      kind: 'time',
      time: '2026-12-07T08:00:00.000Z',
    });
    expect(resolvePosition('2026-12-07T09:00:00+01:00', 'since')).toEqual({
      kind: 'time',
      time: '2026-12-07T08:00:00.000Z',
    });
    expect(resolvePosition('2026-12-07', 'until')).toEqual({
      kind: 'time',
      time: '2026-12-07T00:00:00.000Z',
    });
  });

  it('takes anything else as an opaque cursor', () => {
    expect(resolvePosition('0000000a00000000001f', 'since')).toEqual({
      kind: 'cursor',
      cursor: '0000000a00000000001f',
    });
  });

  it('refuses empty values and unreadable times with a sentence naming the option', () => {
    expect(() => resolvePosition('', 'since')).toThrow(
      /since must be a cursor, a Date, an ISO 8601 time or a duration/,
    );
    expect(() => resolvePosition(new Date('nope'), 'until')).toThrow(/until is an invalid Date/);
    expect(() => resolvePosition('2026-13-45T99:00:00Z', 'since')).toThrow(
      /since "2026-13-45T99:00:00Z" is not a valid ISO 8601 time/,
    );
  });
});
