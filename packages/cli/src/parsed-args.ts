import { UsageError } from './usage-error.js';

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * Typed, validating access to what `parseArgs` returned. Every accessor throws `UsageError` with
 * the flag's name, so a malformed value exits 2 with one clear line.
 */
export class ParsedArgs {
  constructor(
    private readonly values: Values,
    readonly positionals: readonly string[],
  ) {}

  /** True when the flag appeared on the command line. */
  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return this.last(value, name);
    if (typeof value !== 'string') throw new UsageError(`--${name} needs a value.`);
    return value;
  }

  strings(name: string): string[] {
    const value = this.values[name];
    if (value === undefined) return [];
    const list = Array.isArray(value) ? value : [value];
    return list.filter((item): item is string => typeof item === 'string');
  }

  boolean(name: string): boolean {
    return this.values[name] === true;
  }

  /** One of `choices`, or `fallback` when the flag is absent. */
  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const value = this.string(name);
    if (value === undefined) return fallback;
    if (!(choices as readonly string[]).includes(value)) {
      throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got '${value}'.`);
    }
    return value as T;
  }

  /** A whole number within bounds, or undefined when absent. */
  integer(name: string, bounds: { min?: number; max?: number } = {}): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const min = bounds.min ?? Number.MIN_SAFE_INTEGER;
    const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
    if (!/^-?\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      const range = bounds.max === undefined ? `≥ ${min}` : `between ${min} and ${max}`;
      throw new UsageError(`--${name} must be a whole number ${range}; got '${raw}'.`);
    }
    return Number(raw);
  }

  /** A positive number. */
  number(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
      throw new UsageError(`--${name} must be a positive number; got '${raw}'.`);
    }
    return value;
  }

  /** A duration in milliseconds: `500ms`, `10s`, `2m`, `1h`, or bare seconds (`10`). */
  duration(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
    if (match === null || Number(match[1]) <= 0) {
      throw new UsageError(`--${name} must be a duration like 500ms, 10s, 2m or 1h; got '${raw}'.`);
    }
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
    return Math.round(Number(match[1]) * unit);
  }

  private last(list: (string | boolean)[], name: string): string {
    const value = list[list.length - 1];
    if (typeof value !== 'string') throw new UsageError(`--${name} needs a value.`);
    return value;
  }
}
