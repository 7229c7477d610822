/** Reconnect delays: exponential growth, capped, with full jitter. */
export interface BackoffOptions {
  /**
   * Delay ceiling before the first reconnect attempt, in milliseconds.
   * @default 250
   */
  initialDelay?: number;
  /**
   * Largest delay between attempts, in milliseconds.
   * @default 30000
   */
  maxDelay?: number;
  /**
   * Growth factor of the delay ceiling per failed attempt.
   * @default 2
   */
  factor?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialDelay: 250, maxDelay: 30_000, factor: 2 };

/**
 * Delay before reconnect attempt `attempt` (0-based): a uniformly random value in
 * `[0, min(maxDelay, initialDelay × factor^attempt)]` ("full jitter"), so a broker restart does not
 * see every client come back in the same millisecond.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { initialDelay, maxDelay, factor } = { ...DEFAULT_BACKOFF, ...options };
  // Cap the exponent so factor^attempt never overflows to Infinity after days of retrying.
  const ceiling = Math.min(maxDelay, initialDelay * factor ** Math.min(attempt, 64));
  return Math.floor(random() * ceiling);
}
