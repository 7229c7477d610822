import { describe, expect, it } from 'vitest';
import { DedupeWindow } from './dedupe-window.js';

describe('DedupeWindow', () => {
  it('recognises repeats within the window and forgets the oldest key first', () => {
    const window = new DedupeWindow(2);
    expect(window.add('a')).toBe(true);
    expect(window.add('b')).toBe(true);
    expect(window.add('a')).toBe(false);
    expect(window.add('b')).toBe(false);
    expect(window.add('c')).toBe(true); // forgets a, the oldest
    expect(window.size).toBe(2);
    expect(window.add('b')).toBe(false);
    expect(window.add('a')).toBe(true);
  });

  it('stays bounded and exact over a long stream', () => {
    const window = new DedupeWindow(100);
    for (let i = 0; i < 10_000; i++) {
      expect(window.add(String(i))).toBe(true);
      if (i >= 1) expect(window.add(String(i - 1))).toBe(false);
    }
    expect(window.size).toBe(100);
    expect(window.add('9900')).toBe(false);
    expect(window.add('9899')).toBe(true);
  });

  it('rejects a nonsensical capacity', () => {
    expect(() => new DedupeWindow(0)).toThrow(RangeError);
  });
});
