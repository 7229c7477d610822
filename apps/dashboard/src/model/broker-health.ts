/** Prefix of the broker's own statistics. */
const SYS_PREFIX = '$SYS/firehose/';

/** The few numbers the health panel leads with; undefined when the broker has not said. */
export interface HealthSummary {
  readonly clients: number | undefined;
  readonly inPerSecond: number | undefined;
  readonly outPerSecond: number | undefined;
  readonly dropped: number | undefined;
  readonly uptimeSeconds: number | undefined;
}

/**
 * Everything seen under `$SYS/firehose/...`: the latest value per statistic, plus per-second
 * rates derived from cumulative counters when the broker publishes totals only.
 */
export class BrokerHealth {
  readonly #values = new Map<string, string>();
  readonly #previous = new Map<string, { value: number; at: number }>();
  readonly #rates = new Map<string, number>();

  /** Records one `$SYS/firehose/...` message; returns false for other topics. */
  record(topic: string, payload: string, at: number): boolean {
    if (!topic.startsWith(SYS_PREFIX)) return false;
    const key = topic.slice(SYS_PREFIX.length);
    const text = payload.trim();
    let parsed: unknown = undefined;
    if (text.startsWith('{')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    // A JSON record (`<node>/stats`) is flattened into one statistic per leaf: `<node>/stats/clients/connected`.
    if (parsed !== null && typeof parsed === 'object') this.#flatten(key, parsed, at);
    else this.#set(key, text, at);
    return true;
  }

  #flatten(prefix: string, value: unknown, at: number): void {
    if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value as Record<string, unknown>))
        this.#flatten(`${prefix}/${key}`, child, at);
    } else if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
      this.#set(prefix, String(value), at);
    }
  }

  #set(key: string, text: string, at: number): void {
    this.#values.set(key, text);
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) return;
    const before = this.#previous.get(key);
    if (before && at > before.at && value >= before.value) {
      this.#rates.set(key, ((value - before.value) * 1000) / (at - before.at));
    }
    this.#previous.set(key, { value, at });
  }

  /** Every statistic, sorted by name. */
  entries(): [string, string][] {
    return [...this.#values.entries()].sort(([a], [b]) => a.localeCompare(b));
  }

  summary(): HealthSummary {
    return {
      clients: this.#number(['clients/connected', 'clients/total', 'clients']),
      inPerSecond:
        this.#number(['messages/received/rate', 'messages/in/rate', 'messages/in/per-second', 'load/in']) ??
        this.#rate(['messages/received', 'messages/in', 'messages/received/total', 'messages/in/total']),
      outPerSecond:
        this.#number(['messages/sent/rate', 'messages/out/rate', 'messages/out/per-second', 'load/out']) ??
        this.#rate(['messages/sent', 'messages/out', 'messages/sent/total', 'messages/out/total']),
      dropped:
        this.#number(['messages/dropped/total', 'messages/dropped', 'dropped']) ??
        this.#sumUnder('messages/dropped/') ??
        // A stats record without drop counters means nothing was dropped.
        (this.#number(['messages/received']) === undefined ? undefined : 0),
      uptimeSeconds: this.#max(['uptime']),
    };
  }

  // Statistics may be per node (`<node>/clients/connected`, in a cluster): a name matches
  // exactly or as a suffix, and the nodes' values are added up.
  #number(keys: readonly string[]): number | undefined {
    for (const key of keys) {
      const total = sumMatching(this.#values, key, (raw) => (raw === '' ? Number.NaN : Number(raw)));
      if (total !== undefined) return total;
    }
    return undefined;
  }

  #rate(keys: readonly string[]): number | undefined {
    for (const key of keys) {
      const total = sumMatching(this.#rates, key, (rate) => rate);
      if (total !== undefined) return total;
    }
    return undefined;
  }

  #max(keys: readonly string[]): number | undefined {
    let best: number | undefined;
    for (const [key, raw] of this.#values) {
      if (!keys.some((name) => key === name || key.endsWith(`/${name}`))) continue;
      const value = Number(raw);
      if (Number.isFinite(value)) best = Math.max(best ?? value, value);
    }
    return best;
  }

  #sumUnder(prefix: string): number | undefined {
    let total: number | undefined;
    for (const [key, raw] of this.#values) {
      if (!key.startsWith(prefix) && !key.includes(`/${prefix}`)) continue;
      const value = Number(raw);
      if (Number.isFinite(value)) total = (total ?? 0) + value;
    }
    return total;
  }
}

function sumMatching<V>(
  map: ReadonlyMap<string, V>,
  name: string,
  toNumber: (value: V) => number,
): number | undefined {
  let total: number | undefined;
  for (const [key, value] of map) {
    if (key !== name && !key.endsWith(`/${name}`)) continue;
    const number = toNumber(value);
    if (Number.isFinite(number)) total = (total ?? 0) + number;
  }
  return total;
}
