import { readFileSync } from 'node:fs';

/** A PEM value from the config: the PEM text itself, or a path to a file holding it. */
export function readPem(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}
