import type { OptionSpec } from './options.js';

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/**
 * Turns an env var or flag string into the option's type. A string that does not convert is
 * returned as it is, so validation reports it as written (`got "abc"`).
 */
export function coerceOption(spec: OptionSpec, raw: string | number | boolean | readonly string[]): unknown {
  // A repeated flag (`--catalogue a.yaml --catalogue b.yaml`) arrives as a list already.
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  switch (spec.type.kind) {
    case 'int':
      return /^[+-]?\d+$/.test(text) ? Number(text) : raw;
    case 'bool':
      if (TRUE.has(text.toLowerCase())) return true;
      if (FALSE.has(text.toLowerCase())) return false;
      return raw;
    case 'filters':
    case 'client-ids':
    case 'account-names':
    case 'paths':
      // Comma-separated; filters cannot usefully contain commas in practice, and an empty
      // string means an empty list (e.g. FIREHOSE_ANONYMOUS_WRITE=).
      return text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    case 'hashes':
    case 'string':
    case 'enum':
    case 'persistence':
    case 'ws-path':
    case 'pem':
    case 'postgres-url':
      return text;
  }
}

/** Sets `value` at a dotted key inside `target`, creating objects on the way. */
export function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let current = target;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      current = next as Record<string, unknown>;
    } else {
      const created: Record<string, unknown> = {};
      current[part] = created;
      current = created;
    }
  }
  current[parts[parts.length - 1]!] = value;
}
