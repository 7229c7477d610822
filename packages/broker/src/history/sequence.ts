import { MAX_IN_RUN, RUN_SHIFT } from './cursor.js';

/**
 * Numbers accepted events, strictly increasing, within one run (docs/architecture.md#history). The
 * run was stored before the first number is issued, so no number is issued twice across restarts.
 */
export class Sequence {
  readonly #base: bigint;
  #n = 0n;

  constructor(run: number) {
    this.#base = BigInt(run) << RUN_SHIFT;
  }

  /** The next sequence number. */
  next(): bigint {
    if (this.#n === MAX_IN_RUN) throw new RangeError('history run exhausted; restart the broker');
    this.#n++;
    return this.#base + this.#n;
  }

  /** The last number issued, or the one before the run's first when none was. */
  get last(): bigint {
    return this.#base + this.#n;
  }
}
