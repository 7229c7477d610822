import { describe, expect, it } from 'vitest';
import { RateTracker } from './rate-tracker.js';

describe('RateTracker', () => {
  it('reports messages per minute per service over the window before each point, the last point now', () => {
    const rates = new RateTracker({ stepMs: 2_000, historyMs: 6_000, windowMs: 2_000 });
    for (let n = 0; n < 5; n += 1) rates.record('gerrit', 10_100);
    rates.record('zuul', 11_500);
    const series = rates.series(11_900);
    expect(series.services).toEqual(['gerrit', 'zuul']);
    expect(series.xs).toEqual([6, 8, 10, 11]);
    // 5 messages in the 2 s window → 150/min; 1 → 30/min
    expect(series.ys).toEqual([
      [0, 0, 150, 150],
      [0, 0, 0, 30],
    ]);
  });

  it('keeps moving while idle: old counts slide out of the window', () => {
    const rates = new RateTracker({ stepMs: 1_000, historyMs: 2_000, windowMs: 1_000 });
    rates.record('gerrit', 10_100);
    const later = rates.series(100_000);
    expect(later.xs).toEqual([98, 99, 100]);
    expect(later.ys).toEqual([[0, 0, 0]]);
  });
});
