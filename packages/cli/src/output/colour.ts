import { serviceColour as paletteColour } from '@firehose/schema';
import type { CliEnv } from '../env.js';

export type ColourMode = 'auto' | 'always' | 'never';

/**
 * Whether to write ANSI colour. A non-empty `NO_COLOR` wins over everything, including
 * `--color always` (https://no-color.org); `auto` colours only a terminal, never a pipe or file.
 */
export function useColour(mode: ColourMode, env: CliEnv, stream: { isTTY?: boolean }): boolean {
  if (env.noColor) return false;
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return stream.isTTY === true;
}

/** Styles for one output; the identity when colour is off, so callers never branch. */
export interface Palette {
  readonly enabled: boolean;
  dim(text: string): string;
  bold(text: string): string;
  failure(text: string): string;
  service(service: string, text: string): string;
}

const wrap = (code: number | string, text: string): string => `\u001b[${code}m${text}\u001b[0m`;

export function createPalette(enabled: boolean): Palette {
  if (!enabled) {
    const same = (text: string): string => text;
    return { enabled, dim: same, bold: same, failure: same, service: (_service, text) => text };
  }
  return {
    enabled,
    dim: (text) => wrap(2, text),
    bold: (text) => wrap(1, text),
    failure: (text) => wrap('1;31', text),
    service: (service, text) => wrap(serviceColour(service), text),
  };
}

/**
 * The service's SGR colour code from the palette the dashboard uses too (`@firehose/schema`):
 * fixed for the catalogue's services, else a hash of the name, so a service is the same colour in
 * every terminal and every run (unlike colour-by-arrival-order).
 */
export function serviceColour(service: string): number {
  return paletteColour(service).ansi;
}
