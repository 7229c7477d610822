import { type ConfigProblem, configError } from './config-error.js';
import { coerceOption, setPath } from './coerce-option.js';
import { OPTIONS, type OptionSpec } from './options.js';
import { checkOptionValue } from './validate-input.js';
import type { BrokerConfigInput } from './types.js';

/** `firehose broker` flag (without `--`) → option, for every option that has a flag. */
const FLAG_OPTIONS: ReadonlyMap<string, OptionSpec> = new Map(
  OPTIONS.flatMap((spec) => (spec.flag === undefined ? [] : [[spec.flag, spec] as const])),
);

/** `firehose broker` flags that are not config keys; `flagsToConfig` ignores them. */
export const COMMAND_FLAGS: readonly { flag: string; env?: string; meaning: string }[] = [
  { flag: 'config', env: 'FIREHOSE_CONFIG', meaning: 'config file (YAML or JSON, by extension)' },
  { flag: 'print-config', meaning: 'print the effective config, secrets masked, and exit' },
];

const camelToKebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Maps parsed `firehose broker` flags (`{ port: '1884', 'ws-port': '0', logLevel: 'debug' }`;
 * kebab or camel case, strings or numbers; a repeatable one such as `catalogue` as a list) to a config input for `loadConfig({ flags })`. Unknown
 * flags are left to the CLI; wrong values throw INVALID_CONFIG naming the flag.
 */
export function flagsToConfig(
  flags: Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>,
): BrokerConfigInput {
  const result: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const [name, raw] of Object.entries(flags)) {
    if (raw === undefined) continue;
    const flag = camelToKebab(name);
    const spec = FLAG_OPTIONS.get(flag);
    if (spec === undefined) continue;
    const value = coerceOption(spec, raw);
    const problem = checkOptionValue(spec, value, `--${flag}`);
    if (problem === undefined) setPath(result, spec.key, value);
    else problems.push(problem);
  }
  if (problems.length > 0) throw configError(problems, 'flags');
  return result;
}
