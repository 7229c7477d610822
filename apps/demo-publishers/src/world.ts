import { Random } from './random.js';

/** State shared by all stories of one simulation: the PRNG and the upstream id counters. */
export class World {
  readonly rng: Random;
  private nextChange: number;
  private nextBug: number;

  constructor(seed: number | string) {
    this.rng = new Random(seed);
    // Realistic magnitudes: OpenDev change numbers are in the 900,000s, Launchpad bugs past 2 million.
    this.nextChange = 930_000 + this.rng.int(0, 9_999);
    this.nextBug = 2_100_000 + this.rng.int(0, 99_999);
  }

  changeNumber(): number {
    return this.nextChange++;
  }

  bugNumber(): number {
    return this.nextBug++;
  }
}
