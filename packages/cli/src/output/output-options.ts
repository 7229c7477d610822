import type { CliEnv } from '../env.js';
import type { ParsedArgs } from '../parsed-args.js';
import { createPalette, useColour } from './colour.js';
import { createFormatter, type Formatter } from './formatters.js';

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
