import { describe, expect, it } from 'vitest';
import { parseCatalogueRecord, sortCatalogue } from './catalogue.js';

describe('parseCatalogueRecord', () => {
  it('reads a declared record', () => {
    const row = parseCatalogueRecord(
      '$firehose/catalogue/gerrit.comment-added',
      JSON.stringify({
        type: 'gerrit.comment-added',
        count: 12,
        rate: 0.5,
        lastSeen: '2026-11-25T12:00:00Z',
        invalid: 0,
      }),
    );
    expect(row).toMatchObject({
      name: 'gerrit.comment-added',
      status: 'declared',
      count: 12,
      rate: 0.5,
      invalid: 0,
    });
    expect(row!.lastSeen).toBe(Date.parse('2026-11-25T12:00:00Z'));
  });

  it('flags undeclared records and ignores cleared or broken ones', () => {
    expect(
      parseCatalogueRecord(
        '$firehose/catalogue/undeclared/x',
        JSON.stringify({ topic: 'gerrit/x/new-thing', declared: false, count: 1 }),
      )?.status,
    ).toBe('undeclared');
    expect(parseCatalogueRecord('$firehose/catalogue/a', '')).toBeUndefined();
    expect(parseCatalogueRecord('$firehose/catalogue/a', '{nope')).toBeUndefined();
    expect(parseCatalogueRecord('other/a', '{}')).toBeUndefined();
  });

  it('sorts problems first', () => {
    const base = { rate: 0, lastSeen: undefined, publishers: [] };
    const rows = sortCatalogue([
      { ...base, id: 'a', name: 'a', status: 'declared', count: 100, invalid: 0 },
      { ...base, id: 'b', name: 'b', status: 'undeclared', count: 1, invalid: 0 },
      { ...base, id: 'c', name: 'c', status: 'declared', count: 1, invalid: 2 },
    ]);
    expect(rows.map((row) => row.id)).toEqual(['c', 'b', 'a']);
  });
});
