import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DedupeWindow } from './dedupe-window.js';

const S = 'https://review.opendev.org';

describe('DedupeWindow', () => {
  it('recognises repeats within the window and forgets the oldest event first', () => {
    const window = new DedupeWindow(2);
    expect(window.add(S, 'a')).toBe(true);
    expect(window.add(S, 'b')).toBe(true);
    expect(window.add(S, 'a')).toBe(false);
    expect(window.add(S, 'b')).toBe(false);
    expect(window.add(S, 'c')).toBe(true); // forgets a, the oldest
    expect(window.size).toBe(2);
    expect(window.add(S, 'b')).toBe(false);
    expect(window.add(S, 'a')).toBe(true);
  });

  it('keys on source and id together', () => {
    const window = new DedupeWindow(10);
    expect(window.add('https://a.example', 'x')).toBe(true);
    expect(window.add('https://b.example', 'x')).toBe(true);
    expect(window.add('https://a.example', 'x')).toBe(false);
  });

  it('stays bounded and exact over a long stream', () => {
    const window = new DedupeWindow(100);
    for (let i = 0; i < 10_000; i++) {
      expect(window.add(S, String(i))).toBe(true);
      if (i >= 1) expect(window.add(S, String(i - 1))).toBe(false);
    }
    expect(window.size).toBe(100);
    expect(window.add(S, '9900')).toBe(false);
    expect(window.add(S, '9899')).toBe(true);
  });

  it('behaves like a FIFO set of the last N distinct (source, id) pairs', () => {
    const event = fc.tuple(fc.constantFrom('s1', 's2', 's3'), fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(event, { maxLength: 200 }), (capacity, events) => {
        const window = new DedupeWindow(capacity);
        const model: string[] = [];
        for (const [source, id] of events) {
          const key = `${source} ${id}`;
          const fresh = !model.includes(key);
          expect(window.add(source, id)).toBe(fresh);
          if (fresh) {
            model.push(key);
            if (model.length > capacity) model.shift();
          }
          expect(window.size).toBe(model.length);
        }
      }),
    );
  });

  it('rejects a nonsensical capacity', () => {
    expect(() => new DedupeWindow(0)).toThrow(RangeError);
  });
});
