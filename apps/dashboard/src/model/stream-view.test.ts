import { describe, expect, it } from 'vitest';
import { makeItem } from '../../test/make-item.js';
import { StreamView } from './stream-view.js';

const all = () => true;

describe('StreamView bursts', () => {
  it('collapses consecutive events for one change into one row, newest first', () => {
    const view = new StreamView({ predicate: all });
    const a1 = makeItem({ seq: 1, keys: { project: 'p', change: '1' } });
    const a2 = makeItem({ seq: 2, keys: { project: 'p', change: '1' } });
    const b = makeItem({ seq: 3, keys: { project: 'p', change: '2' } });
    const a3 = makeItem({ seq: 4, keys: { project: 'p', change: '1' } });
    [a1, a2, b, a3].forEach((item) => view.append(item));
    expect(view.length).toBe(3);
    expect(view.itemCount).toBe(4);
    expect(view.newest(0)!.items).toEqual([a3]);
    expect(view.newest(1)!.items).toEqual([b]);
    expect(view.newest(2)!.items).toEqual([a1, a2]);
    expect(view.positionOf(1)).toBe(2);
    expect(view.positionOf(4)).toBe(0);
    expect(view.positionOf(2)).toBe(-1);
  });

  it('starts a new row when the burst window has passed, or when grouping is off', () => {
    const view = new StreamView({ predicate: all, burstWindowMs: 10 });
    view.append(makeItem({ seq: 1, receivedAt: 0 }));
    view.append(makeItem({ seq: 2, receivedAt: 5 }));
    view.append(makeItem({ seq: 3, receivedAt: 100 }));
    expect(view.length).toBe(2);
    const flat = new StreamView({ predicate: all, grouping: false });
    for (let seq = 1; seq <= 3; seq += 1) flat.append(makeItem({ seq }));
    expect(flat.length).toBe(3);
  });

  it('never groups events without a change or build key', () => {
    const view = new StreamView({ predicate: all });
    view.append(makeItem({ seq: 1, keys: { project: 'p' } }));
    view.append(makeItem({ seq: 2, keys: { project: 'p' } }));
    expect(view.length).toBe(2);
  });

  it('evicts from the oldest row, partially from a burst', () => {
    const view = new StreamView({ predicate: all });
    for (let seq = 1; seq <= 3; seq += 1) view.append(makeItem({ seq, keys: { change: '7' } }));
    view.append(makeItem({ seq: 4, keys: { change: '8' } }));
    view.evictThrough(2);
    expect(view.itemCount).toBe(2);
    expect(view.newest(1)!.items.map((item) => item.seq)).toEqual([3]);
    view.evictThrough(3);
    expect(view.length).toBe(1);
    expect([...view.items()].map((item) => item.seq)).toEqual([4]);
  });

  it('stays consistent through many evictions and compactions', () => {
    const view = new StreamView({ predicate: all, grouping: false });
    for (let seq = 1; seq <= 5_000; seq += 1) {
      view.append(makeItem({ seq }));
      if (seq > 100) view.evictThrough(seq - 100);
    }
    expect(view.length).toBe(100);
    expect(view.newest(0)!.id).toBe(5_000);
    expect(view.newest(99)!.id).toBe(4_901);
    expect(view.positionOf(4_950)).toBe(50);
  });
});
