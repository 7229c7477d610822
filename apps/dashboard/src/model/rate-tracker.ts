export interface RateTrackerOptions {
  /** Width of one bucket. @default 5_000 */
  readonly bucketMs?: number;
  /** How many buckets of history are drawn. @default 120 (10 minutes of 5 s buckets) */
  readonly buckets?: number;
}

/** Chart data: x in seconds since the epoch, one y series (msgs/min) per service. */
export interface RateSeries {
  readonly services: readonly string[];
  readonly xs: number[];
  readonly ys: number[][];
}

/**
 * Messages per minute per service over the last minutes, from arrival counts in fixed time
 * buckets. Sampling uses `now`, so the chart keeps moving while nothing arrives.
 */
export class RateTracker {
  readonly #bucketMs: number;
  readonly #buckets: number;
  // service → (bucket number → count)
  readonly #counts = new Map<string, Map<number, number>>();

  constructor(options: RateTrackerOptions = {}) {
    this.#bucketMs = options.bucketMs ?? 5_000;
    this.#buckets = options.buckets ?? 120;
  }

  record(service: string, at: number): void {
    let perBucket = this.#counts.get(service);
    if (!perBucket) {
      perBucket = new Map();
      this.#counts.set(service, perBucket);
    }
    const bucket = Math.floor(at / this.#bucketMs);
    perBucket.set(bucket, (perBucket.get(bucket) ?? 0) + 1);
  }

  /** Completed buckets up to `now` (the one still filling would read low), oldest first. */
  series(now: number): RateSeries {
    const current = Math.floor(now / this.#bucketMs);
    const first = current - this.#buckets;
    const services = [...this.#counts.keys()].sort();
    const xs: number[] = [];
    for (let bucket = first; bucket < current; bucket += 1) xs.push(((bucket + 1) * this.#bucketMs) / 1000);
    const perMinute = 60_000 / this.#bucketMs;
    const ys = services.map((service) => {
      const perBucket = this.#counts.get(service) as Map<number, number>;
      for (const bucket of perBucket.keys()) if (bucket < first) perBucket.delete(bucket);
      return xs.map((_, index) => (perBucket.get(first + index) ?? 0) * perMinute);
    });
    return { services, xs, ys };
  }
}
