import { describe, expect, it } from 'vitest';
import { FrameBatcher } from './frame-batcher.js';

describe('FrameBatcher', () => {
  it('hands over everything received before a frame in one batch, one frame request per batch', () => {
    const frames: (() => void)[] = [];
    const batches: number[][] = [];
    const batcher = new FrameBatcher<number>(
      (batch) => batches.push(batch),
      (callback) => frames.push(callback),
    );
    for (let n = 0; n < 500; n += 1) batcher.push(n);
    expect(frames).toHaveLength(1);
    expect(batches).toHaveLength(0);
    expect(batcher.pending).toBe(500);
    frames.shift()!();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(500);
    batcher.push(500);
    batcher.push(501);
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(batches[1]).toEqual([500, 501]);
  });

  it('flushNow delivers pending items and a later frame finds nothing to do', () => {
    const frames: (() => void)[] = [];
    const batches: number[][] = [];
    const batcher = new FrameBatcher<number>(
      (batch) => batches.push(batch),
      (callback) => frames.push(callback),
    );
    batcher.push(1);
    batcher.flushNow();
    frames.shift()!();
    expect(batches).toEqual([[1]]);
  });
});

describe('FrameBatcher with a minimum interval', () => {
  it('waits out the interval since the last hand-over before asking for a frame', () => {
    let clock = 1_000;
    const frames: (() => void)[] = [];
    const delayed: { callback: () => void; ms: number }[] = [];
    const batches: number[][] = [];
    const batcher = new FrameBatcher<number>(
      (batch) => batches.push(batch),
      (callback) => frames.push(callback),
      {
        minIntervalMs: 100,
        now: () => clock,
        delay: (callback, ms) => delayed.push({ callback, ms }),
      },
    );
    batcher.push(1);
    expect(frames).toHaveLength(1); // nothing handed over yet: no wait
    frames.shift()!();
    clock += 30;
    batcher.push(2);
    batcher.push(3);
    expect(frames).toHaveLength(0);
    expect(delayed.map((entry) => entry.ms)).toEqual([70]);
    delayed.shift()!.callback();
    expect(frames).toHaveLength(1);
    clock += 70;
    frames.shift()!();
    expect(batches).toEqual([[1], [2, 3]]);
  });
});

describe('FrameBatcher with an interval chosen from the last batch', () => {
  it('slows down after a big batch', () => {
    const clock = 0;
    const frames: (() => void)[] = [];
    const waits: number[] = [];
    const batcher = new FrameBatcher<number>(
      () => undefined,
      (callback) => frames.push(callback),
      {
        minIntervalMs: (size) => (size > 10 ? 250 : 100),
        now: () => clock,
        delay: (_callback, ms) => waits.push(ms),
      },
    );
    for (let n = 0; n < 50; n += 1) batcher.push(n);
    frames.shift()!();
    batcher.push(51);
    expect(waits).toEqual([250]);
  });
});
