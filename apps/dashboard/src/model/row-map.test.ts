import { describe, expect, it } from 'vitest';
import { RowMap } from './row-map.js';

describe('RowMap', () => {
  it('is the identity without expansions', () => {
    const map = new RowMap(5, []);
    expect(map.total).toBe(5);
    expect(map.at(3)).toEqual({ position: 3, child: undefined });
    expect(map.at(5)).toBeUndefined();
  });

  it('inserts child lines under expanded rows', () => {
    // rows 0..4; row 1 expanded with 2 children, row 3 with 1
    const map = new RowMap(5, [
      { position: 3, children: 1 },
      { position: 1, children: 2 },
    ]);
    expect(map.total).toBe(8);
    const lines = Array.from({ length: 8 }, (_, line) => map.at(line));
    expect(lines).toEqual([
      { position: 0, child: undefined },
      { position: 1, child: undefined },
      { position: 1, child: 0 },
      { position: 1, child: 1 },
      { position: 2, child: undefined },
      { position: 3, child: undefined },
      { position: 3, child: 0 },
      { position: 4, child: undefined },
    ]);
    expect([0, 1, 2, 3, 4].map((position) => map.lineOf(position))).toEqual([0, 1, 4, 5, 7]);
  });
});
