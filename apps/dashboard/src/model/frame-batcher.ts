/** Schedules a callback before the next paint; `requestAnimationFrame` in the browser. */
export type FrameScheduler = (callback: () => void) => void;

/**
 * Buffers messages as they arrive and hands them over in one batch per animation frame, so a
 * burst of 500 messages costs one DOM commit, not 500.
 */
export class FrameBatcher<T> {
  readonly #flush: (batch: T[]) => void;
  readonly #schedule: FrameScheduler;
  #pending: T[] = [];
  #scheduled = false;

  constructor(flush: (batch: T[]) => void, schedule: FrameScheduler) {
    this.#flush = flush;
    this.#schedule = schedule;
  }

  /** Messages waiting for the next frame. */
  get pending(): number {
    return this.#pending.length;
  }

  push(item: T): void {
    this.#pending.push(item);
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(() => {
      this.#scheduled = false;
      this.flushNow();
    });
  }

  /** Hands over whatever is pending right away (used when a frame never comes, e.g. a hidden tab). */
  flushNow(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#flush(batch);
  }
}
