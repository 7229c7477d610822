/** Schedules a callback before the next paint; `requestAnimationFrame` in the browser. */
export type FrameScheduler = (callback: () => void) => void;

export interface FrameBatcherOptions {
  /**
   * Least time between two hand-overs, fixed or chosen from the size of the last batch. Under a
   * firehose, a list that changes 60 times a second costs paint and layout every frame and cannot
   * be read anyway; a few updates a second can.
   * @default 0 (every frame)
   */
  readonly minIntervalMs?: number | ((lastBatchSize: number) => number);
  /** @default Date.now */
  readonly now?: () => number;
  /** @default setTimeout */
  readonly delay?: (callback: () => void, ms: number) => void;
}

/**
 * Buffers messages as they arrive and hands them over in one batch per animation frame (at
 * most), so a burst of 500 messages costs one DOM commit, not 500.
 */
export class FrameBatcher<T> {
  readonly #flush: (batch: T[]) => void;
  readonly #schedule: FrameScheduler;
  readonly #minIntervalMs: (lastBatchSize: number) => number;
  readonly #now: () => number;
  readonly #delay: (callback: () => void, ms: number) => void;
  #pending: T[] = [];
  #scheduled = false;
  #lastFlush = Number.NEGATIVE_INFINITY;
  #lastBatchSize = 0;

  constructor(flush: (batch: T[]) => void, schedule: FrameScheduler, options: FrameBatcherOptions = {}) {
    this.#flush = flush;
    this.#schedule = schedule;
    const interval = options.minIntervalMs ?? 0;
    this.#minIntervalMs = typeof interval === 'number' ? () => interval : interval;
    this.#now = options.now ?? Date.now;
    this.#delay = options.delay ?? ((callback, ms) => void setTimeout(callback, ms));
  }

  /** Messages waiting for the next frame. */
  get pending(): number {
    return this.#pending.length;
  }

  push(item: T): void {
    this.#pending.push(item);
    if (this.#scheduled) return;
    this.#scheduled = true;
    const run = () =>
      this.#schedule(() => {
        this.#scheduled = false;
        this.flushNow();
      });
    const wait = this.#lastFlush + this.#minIntervalMs(this.#lastBatchSize) - this.#now();
    if (wait > 0) this.#delay(run, wait);
    else run();
  }

  /** Hands over whatever is pending right away (used when a frame never comes, e.g. a hidden tab). */
  flushNow(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#lastFlush = this.#now();
    this.#lastBatchSize = batch.length;
    this.#flush(batch);
  }
}
