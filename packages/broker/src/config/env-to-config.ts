import { type ConfigProblem, configError } from './config-error.js';
import { coerceOption, setPath } from './coerce-option.js';
import { checkOptionValue } from './validate-input.js';
import { OPTIONS, type OptionSpec } from './options.js';
import type { BrokerConfigInput } from './types.js';

/** The env var naming the config file (used by `loadConfig` when no `file` is given). */
export const CONFIG_FILE_ENV = 'FIREHOSE_CONFIG';

/** Env var → option, for every option that has one (see the README table). */
export const ENV_OPTIONS: ReadonlyMap<string, OptionSpec> = new Map(
  OPTIONS.flatMap((spec) => (spec.env === undefined ? [] : [[spec.env, spec] as const])),
);

// Env vars under these prefixes belong to the broker config, so a misspelt one is an error rather
// than silently ignored. Other FIREHOSE_* vars (the CLI's, the client's) are left alone.
const SECTION_PREFIXES = [
  'FIREHOSE_LISTENERS_',
  'FIREHOSE_ANONYMOUS_',
  'FIREHOSE_ACCOUNTS_',
  'FIREHOSE_VALIDATION_',
  'FIREHOSE_PERSISTENCE',
  'FIREHOSE_LIMITS_',
  'FIREHOSE_TRUST_PROXY',
  'FIREHOSE_CATALOGUE_',
  'FIREHOSE_SYS_',
  'FIREHOSE_LOG_',
];

/**
 * Reads the broker's `FIREHOSE_…` variables into a config input: `FIREHOSE_LIMITS_MAX_PACKET_BYTES`
 * → `limits.maxPacketBytes`. A listener variable sets the first listener of its kind (and turns
 * it on). Lists are comma-separated. Throws INVALID_CONFIG naming the variable.
 */
export function envToConfig(env: NodeJS.ProcessEnv): BrokerConfigInput {
  const result: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined || !name.startsWith('FIREHOSE_')) continue;
    const spec = ENV_OPTIONS.get(name);
    if (spec === undefined) {
      if (name.startsWith('FIREHOSE_ACCOUNTS_')) {
        problems.push({
          path: name,
          message: `${name} is not supported: accounts are set in the config file only`,
        });
      } else if (SECTION_PREFIXES.some((prefix) => name.startsWith(prefix))) {
        problems.push({
          path: name,
          message: `${name} is not a broker setting (see the option table in the broker README)`,
        });
      }
      continue;
    }
    const value = coerceOption(spec, raw);
    const problem = checkOptionValue(spec, value, name);
    if (problem === undefined) setPath(result, spec.key, value);
    else problems.push(problem);
  }
  if (problems.length > 0) throw configError(problems, 'the environment');
  return result;
}
