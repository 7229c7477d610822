import { describe, expect, it } from 'vitest';
import { RateTracker } from './rate-tracker.js';

describe('RateTracker', () => {
  it('reports messages per minute per service in completed buckets', () => {
    const rates = new RateTracker({ bucketMs: 1_000, buckets: 3 });
    for (let n = 0; n < 5; n += 1) rates.record('gerrit', 10_100);
    rates.record('zuul', 11_500);
    const series = rates.series(12_200);
    expect(series.services).toEqual(['gerrit', 'zuul']);
    expect(series.xs).toEqual([10, 11, 12]);
    expect(series.ys).toEqual([
      [0, 300, 0],
      [0, 0, 60],
    ]);
  });

  it('keeps moving while idle: old buckets slide out', () => {
    const rates = new RateTracker({ bucketMs: 1_000, buckets: 3 });
    rates.record('gerrit', 10_100);
    expect(rates.series(100_000).ys).toEqual([[0, 0, 0]]);
    expect(rates.series(100_000).xs).toEqual([98, 99, 100]);
  });
});
