import { FirehoseError } from './errors.js';

/** The level standing for "no value", e.g. the project of Gerrit's `dropped-output`. */
export const PLACEHOLDER_LEVEL = '-';

// Characters that cannot stand inside one topic level: the separator, both wildcards, the escape
// character itself, and U+0000. Git ref names may contain '+' and '#', so they are encoded, not refused.
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what MQTT forbids in topics
const NEEDS_ENCODING = /[/+#%\u0000]/;
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what MQTT forbids in topics
const ENCODE = /[/+#%\u0000]/g;
const DECODE = /%(2[5FfBb3]|00|2[Dd])/g;
const ESCAPES: Record<string, string> = { '/': '%2F', '+': '%2B', '#': '%23', '%': '%25', '\u0000': '%00' };

/**
 * Encodes a parameter value as exactly one topic level, reversibly: `stable/2024.1` → `stable%2F2024.1`.
 * A value equal to the placeholder `-` is encoded as `%2D` so it cannot be mistaken for "no value".
 * Throws `INVALID_PARAMS` for an empty value.
 */
export function encodeLevel(value: string): string {
  if (value === '') {
    throw new FirehoseError(
      'INVALID_PARAMS',
      'A topic parameter must not be empty; give a value or leave it out.',
    );
  }
  if (value === PLACEHOLDER_LEVEL) return '%2D';
  return NEEDS_ENCODING.test(value) ? value.replace(ENCODE, (c) => ESCAPES[c]!) : value;
}

/** Reverses `encodeLevel`. */
export function decodeLevel(level: string): string {
  return level.includes('%')
    ? level.replace(DECODE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : level;
}
