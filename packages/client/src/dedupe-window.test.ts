import { describe, expect, it } from 'vitest';
import { DedupeWindow } from './dedupe-window.js';

describe('DedupeWindow', () => {
  it('recognises repeats within the window and forgets the least recently seen', () => {
    const window = new DedupeWindow(2);
    expect(window.add('a')).toBe(true);
    expect(window.add('b')).toBe(true);
    expect(window.add('a')).toBe(false); // refreshes a
    expect(window.add('c')).toBe(true); // evicts b, the least recently seen
    expect(window.size).toBe(2);
    expect(window.add('a')).toBe(false);
    expect(window.add('b')).toBe(true);
  });

  it('stays bounded', () => {
    const window = new DedupeWindow(100);
    for (let i = 0; i < 10_000; i++) window.add(String(i));
    expect(window.size).toBe(100);
  });

  it('rejects a nonsensical capacity', () => {
    expect(() => new DedupeWindow(0)).toThrow(RangeError);
  });
});
