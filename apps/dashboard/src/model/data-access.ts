/** Reads `value.a.b.0.c` from untrusted JSON without throwing. */
export function pick(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** A non-empty string (numbers are written out), else undefined. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * The best name for a Gerrit-style account: name, then username, then `unknown`; never the email
 * address (as the schema's `account` formatter). Undefined when there is no account.
 */
export function accountName(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  return text(pick(value, 'name')) ?? text(pick(value, 'username')) ?? 'unknown';
}
