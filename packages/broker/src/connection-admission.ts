import type { BrokerLimits } from './config/types.js';
import type { RefusalReason } from './stats.js';

/**
 * Admission of new connections (the connection-count limits): total, per IP, and per IP per minute (a window that starts at an
 * address's first connection). `admit` reserves a slot; `release` gives it back on close.
 */
export class ConnectionAdmission {
  #total = 0;
  readonly #perIp = new Map<string, number>();
  readonly #rate = new Map<string, { since: number; count: number }>();

  /** The refusal reason, or undefined when admitted (and counted). */
  admit(ip: string, limits: BrokerLimits, now = Date.now()): RefusalReason | undefined {
    if (this.#total >= limits.maxConnections) return 'connections_total';
    let window = this.#rate.get(ip);
    if (window === undefined || now - window.since >= 60_000) {
      // Drop stale windows now and then so the map stays as small as the set of recent addresses.
      if (this.#rate.size > 10_000)
        for (const [key, w] of this.#rate) if (now - w.since >= 60_000) this.#rate.delete(key);
      window = { since: now, count: 0 };
      this.#rate.set(ip, window);
    }
    if (++window.count > limits.connectionRatePerIp) return 'connection_rate';
    const fromIp = this.#perIp.get(ip) ?? 0;
    if (fromIp >= limits.maxConnectionsPerIp) return 'connections_per_ip';
    this.#perIp.set(ip, fromIp + 1);
    this.#total++;
    return undefined;
  }

  release(ip: string): void {
    this.#total--;
    const left = (this.#perIp.get(ip) ?? 1) - 1;
    if (left <= 0) this.#perIp.delete(ip);
    else this.#perIp.set(ip, left);
  }
}
