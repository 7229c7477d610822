import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.js';
import { firstSeqAt, lastSeqAt, msOfSeq, seqToStreamId, streamIdToSeq } from './stream-id.js';

describe('stream ids as cursors', () => {
  it('orders cursors as redis orders the ids, within one millisecond and across', () => {
    const ids = [
      '1765108800000-0',
      '1765108800000-1',
      '1765108800000-12',
      '1765108800001-0',
      '4398046511103-0',
    ];
    const cursors = ids.map((id) => encodeCursor(streamIdToSeq(id)!));
    expect(cursors.every((cursor) => cursor.length === 16)).toBe(true);
    expect([...cursors].sort()).toEqual(cursors);
    for (const [i, cursor] of cursors.entries()) expect(seqToStreamId(decodeCursor(cursor)!)).toBe(ids[i]);
  });

  it('maps a time to the first and last id of its millisecond', () => {
    const seq = streamIdToSeq('1765108800000-7')!;
    expect(msOfSeq(seq)).toBe(1765108800000);
    expect(firstSeqAt(1765108800000) <= seq && seq <= lastSeqAt(1765108800000)).toBe(true);
    expect(seqToStreamId(firstSeqAt(1765108800000))).toBe('1765108800000-0');
  });

  it('has no cursor for an id that does not fit 63 bits, nor for what is not an id', () => {
    for (const bad of ['4398046511104-0', '1-2097152', '', '1', '1-', '-1', 'a-b', '1-2-3'])
      expect(streamIdToSeq(bad)).toBeUndefined();
  });
});
