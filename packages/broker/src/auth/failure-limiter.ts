/** Per-IP count of failures in a sliding one-minute window. */
export interface FailureLimiter {
  /** Failures per minute allowed; may be changed on reload. */
  limit: number;
  /** Whether `ip` has reached the limit. */
  limited(ip: string): boolean;
  /** Records one failure; returns true when this failure reached the limit. */
  record(ip: string): boolean;
}

const WINDOW_MS = 60_000;
// Sweep the map now and then so addresses that stopped failing do not pile up.
const SWEEP_EVERY = 1024;

/**
 * Keeps at most `limit` timestamps per address (a ring of the most recent failures), so memory is
 * bounded per address and the check is O(1): the address is limited while its `limit`-th most
 * recent failure is less than a minute old.
 */
export function createFailureLimiter(initialLimit: number, now: () => number): FailureLimiter {
  let limit = initialLimit;
  const failures = new Map<string, number[]>();
  let operations = 0;

  const sweep = (time: number): void => {
    for (const [ip, times] of failures) {
      if (time - (times[times.length - 1] ?? 0) >= WINDOW_MS) failures.delete(ip);
    }
  };

  const limited = (ip: string): boolean => {
    const times = failures.get(ip);
    if (times === undefined || times.length < limit) return false;
    return now() - times[0]! < WINDOW_MS;
  };

  return {
    get limit() {
      return limit;
    },
    set limit(value: number) {
      limit = value;
    },
    limited,
    record(ip) {
      const time = now();
      if (++operations % SWEEP_EVERY === 0) sweep(time);
      let times = failures.get(ip);
      if (times === undefined) {
        times = [];
        failures.set(ip, times);
      }
      times.push(time);
      while (times.length > limit) times.shift();
      return times.length === limit && time - times[0]! < WINDOW_MS;
    },
  };
}
