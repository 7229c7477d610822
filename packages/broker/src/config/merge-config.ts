import type { BrokerConfigInput } from './types.js';

type Plain = Record<string, unknown>;

const isPlain = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Layers `override` on top of `base` (flags over env over file): objects merge key by key, lists
 * and scalars are replaced. A single listener object laid over a list of listeners changes the
 * first one, so `FIREHOSE_LISTENERS_MQTT_PORT` works whether the file has one mqtt listener or
 * several; laid over `false` (off) it turns the listener on.
 */
export function mergeConfigInputs(base: BrokerConfigInput, override: BrokerConfigInput): BrokerConfigInput {
  return merge(base, override, '') as BrokerConfigInput;
}

function merge(base: unknown, override: unknown, path: string): unknown {
  if (override === undefined) return base;
  if (path.startsWith('listeners.') && path.split('.').length === 2 && isPlain(override)) {
    if (Array.isArray(base)) {
      const [first, ...rest] = base as unknown[];
      return [merge(first ?? {}, override, `${path}[0]`), ...rest];
    }
    if (!isPlain(base)) return merge({}, override, `${path}[0]`);
  }
  if (!isPlain(base) || !isPlain(override)) return override;
  const result: Plain = { ...base };
  for (const [key, value] of Object.entries(override)) {
    result[key] = merge(base[key], value, path === '' ? key : `${path}.${key}`);
  }
  return result;
}
