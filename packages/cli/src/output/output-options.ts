import type { OptionSpec } from '../command.js';
import type { CliEnv } from '../env.js';
import type { ParsedArgs } from '../parsed-args.js';
import { createPalette, useColour } from './colour.js';
import { FORMATS, createFormatter, type Formatter } from './formatters.js';

/** How `tail` and `history` print records: same flags, same formats. */
export const OUTPUT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  format: {
    type: 'string',
    short: 'o',
    value: 'FMT',
    description: `${FORMATS.join('|')}|'<template>'.`,
    default: 'pretty',
  },
  color: {
    type: 'string',
    value: 'WHEN',
    description: 'auto|always|never; a non-empty NO_COLOR always wins.',
    default: 'auto',
  },
  raw: {
    type: 'boolean',
    description: 'Print payloads exactly as received instead of the parsed envelope.',
  },
  'max-bytes': {
    type: 'string',
    value: 'N',
    description:
      "pretty: cut the data excerpt at N bytes ('… +N bytes') instead of fitting the width; 0 = never.",
    default: '200',
  },
  wide: {
    type: 'boolean',
    description: 'pretty: do not fit lines to the terminal width (whole header, excerpt cut at --max-bytes).',
  },
};

export const FORMATS_HELP = `Formats:
  pretty   time, [service] and the schema's summary, then the topic and a one-line data excerpt;
           each line fits the terminal (…), or COLUMNS, or 80 columns; --wide keeps lines whole
  terse    'service: sentence', e.g. gerrit: Ann voted Code-Review+2 on openstack/nova #912345 "Fix race in scheduler"
  json     {topic, received_at, cursor, event} pretty-printed (cursor: archived events only)
  ndjson   one {"topic","received_at","cursor","event"} object per line; never coloured or truncated`;

export interface Output {
  readonly formatter: Formatter;
  /** json or ndjson: diagnostics must stay off stdout. */
  readonly machine: boolean;
}

/** @throws UsageError for a bad --format, --color or --max-bytes. */
export function readOutput(args: ParsedArgs, env: CliEnv, stdout: { isTTY?: boolean }): Output {
  const format = args.string('format') ?? 'pretty';
  const machine = format === 'json' || format === 'ndjson';
  const colour =
    !machine &&
    !format.includes('{') &&
    useColour(args.choice('color', ['auto', 'always', 'never'], 'auto'), env, stdout);
  const formatter = createFormatter(format, {
    palette: createPalette(colour),
    raw: args.boolean('raw'),
    maxBytes: args.integer('max-bytes', { min: 0 }) ?? 200,
    columns: args.boolean('wide') || args.has('max-bytes') ? undefined : fitColumns(stdout, env),
  });
  return { formatter, machine };
}

/**
 * The width pretty output fits: the terminal's; a terminal that reports no size gets `COLUMNS`, else
 * 80; a pipe or file is fitted only when `COLUMNS` is set.
 */
function fitColumns(stdout: { isTTY?: boolean }, env: CliEnv): number | undefined {
  if (stdout.isTTY !== true) return env.columns;
  const columns = (stdout as { columns?: number }).columns;
  return columns !== undefined && columns > 0 ? columns : (env.columns ?? 80);
}
