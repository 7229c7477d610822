import { isDeepStrictEqual } from 'node:util';
import type { BrokerConfig } from './types.js';

export interface ConfigChanges {
  /** Dotted paths that differ (`accounts.gerrit`, `listeners.mqtt[0].port`, `limits.inflight`). */
  changed: string[];
  /** Of those, the ones a running broker can apply in place (SIGHUP). */
  live: string[];
  /** Of those, the ones that only take effect after a restart (listener addresses, persistence). */
  restart: string[];
}

// What a reload can swap without dropping connections: credentials and rules are looked up per
// login / per message, TLS material is re-read into the running servers' secure contexts.
const LIVE_PREFIXES = [
  'accounts',
  'anonymous',
  'validation',
  'limits',
  'trustProxy',
  'log',
  'catalogue',
  'sys',
];
const TLS_FIELD = /^listeners\.(mqtts|wss)\[\d+\]\.(cert|key|ca)$/;

/**
 * What changed between the running config and a newly loaded one, for SIGHUP: apply `live`, and
 * log `restart` ("listeners.mqtt[0].port changed; restart to apply"). TLS file paths count as live
 * (the files are re-read); a renamed listener host or port does not.
 */
export function configChanges(previous: BrokerConfig, next: BrokerConfig): ConfigChanges {
  const changed: string[] = [];
  diff(previous, next, '', changed);
  const live = changed.filter(
    (path) => TLS_FIELD.test(path) || LIVE_PREFIXES.some((p) => path === p || path.startsWith(`${p}.`)),
  );
  return { changed, live, restart: changed.filter((path) => !live.includes(path)) };
}

function diff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (isDeepStrictEqual(a, b)) return;
  // Accounts are compared whole (which field of a credential changed is nobody's business in a
  // log), and so is persistence (one setting, parsed).
  const atomic = /^accounts\.[^.]+$/.test(path) || path === 'persistence';
  if (!atomic && Array.isArray(a) && Array.isArray(b) && path.startsWith('listeners.')) {
    const length = Math.max(a.length, b.length);
    for (let i = 0; i < length; i++) diff(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  if (!atomic && isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
      diff(a[key], b[key], path === '' ? key : `${path}.${key}`, out);
    return;
  }
  out.push(path);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
