import { describe, expect, it } from 'vitest';
import { RetentionBuffer } from './retention-buffer.js';

describe('RetentionBuffer', () => {
  it('keeps the newest items and evicts the oldest, in order', () => {
    const buffer = new RetentionBuffer<number>(3);
    expect([1, 2, 3].map((n) => buffer.push(n))).toEqual([undefined, undefined, undefined]);
    expect(buffer.push(4)).toBe(1);
    expect(buffer.push(5)).toBe(2);
    expect(buffer.toArray()).toEqual([3, 4, 5]);
    expect(buffer.size).toBe(3);
    expect(buffer.at(0)).toBe(3);
    expect(buffer.at(2)).toBe(5);
    expect(buffer.at(3)).toBeUndefined();
  });

  it('never holds more than its capacity however much is pushed', () => {
    const buffer = new RetentionBuffer<number>(100);
    for (let n = 0; n < 10_000; n += 1) buffer.push(n);
    expect(buffer.size).toBe(100);
    expect(buffer.at(0)).toBe(9_900);
    expect(buffer.at(99)).toBe(9_999);
  });

  it('clears', () => {
    const buffer = new RetentionBuffer<number>(2);
    buffer.push(1);
    buffer.clear();
    expect(buffer.toArray()).toEqual([]);
  });

  it('refuses a capacity that is not a positive whole number', () => {
    expect(() => new RetentionBuffer(0)).toThrow(/positive whole number/);
    expect(() => new RetentionBuffer(1.5)).toThrow(/positive whole number/);
  });
});
