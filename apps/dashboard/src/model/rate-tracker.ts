export interface RateTrackerOptions {
  /** Spacing of the chart's points. @default 5_000 */
  readonly stepMs?: number;
  /** How much history is drawn. @default 300_000 (5 minutes) */
  readonly historyMs?: number;
  /** Each point counts the messages in this window before it. @default 60_000 (so y is msgs/min) */
  readonly windowMs?: number;
}

/** Chart data: x in seconds since the epoch, one y series (msgs/min) per service. */
export interface RateSeries {
  readonly services: readonly string[];
  readonly xs: number[];
  readonly ys: number[][];
}

const SECOND = 1000;

/**
 * Messages per minute per service over the last minutes: arrivals are counted per second, and
 * each point of the chart is the count over the minute before it, the last point being `now`.
 * Sampling follows `now`, so the chart keeps moving while nothing arrives.
 */
export class RateTracker {
  readonly #stepMs: number;
  readonly #historyMs: number;
  readonly #windowMs: number;
  // service → (second → count)
  readonly #counts = new Map<string, Map<number, number>>();

  constructor(options: RateTrackerOptions = {}) {
    this.#stepMs = options.stepMs ?? 5_000;
    this.#historyMs = options.historyMs ?? 300_000;
    this.#windowMs = options.windowMs ?? 60_000;
  }

  record(service: string, at: number): void {
    let perSecond = this.#counts.get(service);
    if (!perSecond) {
      perSecond = new Map();
      this.#counts.set(service, perSecond);
    }
    const second = Math.floor(at / SECOND);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  }

  /** Points from `now - history` to `now`, oldest first. */
  series(now: number): RateSeries {
    const services = [...this.#counts.keys()].sort();
    const last = Math.floor(now / SECOND);
    const step = Math.max(1, Math.round(this.#stepMs / SECOND));
    const window = Math.max(1, Math.round(this.#windowMs / SECOND));
    const points: number[] = [];
    // Aligned to the step so points do not jitter between redraws; the newest point is `now`.
    for (
      let second = Math.ceil((last - this.#historyMs / SECOND) / step) * step;
      second < last;
      second += step
    )
      points.push(second);
    points.push(last);
    const oldest = (points[0] ?? last) - window;
    const perMinute = 60 / window;
    const ys = services.map((service) => {
      const perSecond = this.#counts.get(service) as Map<number, number>;
      for (const second of perSecond.keys()) if (second <= oldest) perSecond.delete(second);
      return points.map((point) => {
        let total = 0;
        for (let second = point - window + 1; second <= point; second += 1)
          total += perSecond.get(second) ?? 0;
        return total * perMinute;
      });
    });
    return { services, xs: points, ys };
  }
}
