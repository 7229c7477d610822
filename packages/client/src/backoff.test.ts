import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('grows exponentially up to the cap (upper bound of the jitter)', () => {
    const max = () => 0.999999;
    const delays = [0, 1, 2, 3, 4, 10, 1000].map((a) =>
      backoffDelay(a, { initialDelay: 100, maxDelay: 1000, factor: 2 }, max),
    );
    expect(delays).toEqual([99, 199, 399, 799, 999, 999, 999]);
  });

  it('uses full jitter: any value from 0 to the ceiling', () => {
    expect(backoffDelay(5, {}, () => 0)).toBe(0);
    fc.assert(
      fc.property(
        fc.nat({ max: 10_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const delay = backoffDelay(attempt, {}, () => r);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(30_000);
          expect(Number.isFinite(delay)).toBe(true);
        },
      ),
    );
  });
});
