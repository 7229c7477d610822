import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { FirehoseError } from '@firehose/protocol';
import { parse as parseYaml } from 'yaml';
import { type ConfigProblem, configError } from './config-error.js';
import { DEFAULT_LISTENERS } from './defaults.js';
import { CONFIG_FILE_ENV, envToConfig } from './env-to-config.js';
import { mergeConfigInputs } from './merge-config.js';
import { resolveConfig } from './resolve-config.js';
import type {
  BrokerConfig,
  BrokerConfigInput,
  ListenerConfig,
  ListenerConfigInput,
  ListenerName,
} from './types.js';
import { validateConfigInput } from './validate-input.js';

export interface ConfigSources {
  /** Config file, YAML (`.yaml`, `.yml`) or JSON (`.json`). @default env.FIREHOSE_CONFIG, else none */
  file?: string;
  /** Environment to read `FIREHOSE_…` variables from; nothing is read from `process.env` unless passed. */
  env?: NodeJS.ProcessEnv;
  /** Values from CLI flags (see `flagsToConfig`), highest precedence. */
  flags?: BrokerConfigInput;
}

const PEM_FIELDS = ['cert', 'key', 'ca'] as const;
const TLS_LISTENERS: readonly ListenerName[] = ['mqtts', 'wss'];

/**
 * Builds the effective config: defaults < file < env (`FIREHOSE_…`) < flags. Every layer is
 * validated on its own, so an error names the file key, the env var or the flag at fault; then the
 * merged result is checked as a whole and TLS files are checked for readability. Relative paths in
 * the file (TLS files, `level:DIR`, `catalogue.files`) are relative to the file; in env and flags, to the working
 * directory. Throws FirehoseError INVALID_CONFIG.
 */
export async function loadConfig(sources: ConfigSources = {}): Promise<BrokerConfig> {
  const env = sources.env ?? {};
  const file = sources.file ?? env[CONFIG_FILE_ENV];
  let base: BrokerConfigInput = file === undefined || file === '' ? {} : await readConfigFile(file);
  // "No listeners section" means the default set; decide that on the file alone, so a flag such
  // as --port changes the mqtt listener instead of turning ws and http off.
  if (base.listeners === undefined) {
    base = { ...base, listeners: Object.fromEntries(DEFAULT_LISTENERS.map((name) => [name, {}])) };
  }
  const fromEnv = absolutePaths(envToConfig(env), process.cwd());
  const flags = sources.flags ?? {};
  const flagProblems = validateConfigInput(flags);
  if (flagProblems.length > 0) throw configError(flagProblems, 'flags');
  const config = resolveConfig(
    mergeConfigInputs(mergeConfigInputs(base, fromEnv), absolutePaths(flags, process.cwd())),
  );
  await checkConfigFiles(config);
  return config;
}

/** Reads, parses and validates one config file; relative paths in it become absolute. */
export async function readConfigFile(file: string): Promise<BrokerConfigInput> {
  const path = resolve(file);
  const extension = extname(path).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(extension)) {
    throw new FirehoseError(
      'INVALID_CONFIG',
      `Cannot tell the format of config file ${path}: name it *.yaml, *.yml or *.json.`,
      {
        path,
      },
    );
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message;
    throw new FirehoseError(
      'INVALID_CONFIG',
      `Cannot read config file ${path}: ${reason}. Check the --config path.`,
      {
        path,
        cause: error,
      },
    );
  }
  let parsed: unknown;
  try {
    parsed =
      extension === '.json'
        ? JSON.parse(text)
        : parseYaml(text, { uniqueKeys: true, prettyErrors: true, merge: true });
  } catch (error) {
    const format = extension === '.json' ? 'JSON' : 'YAML';
    throw new FirehoseError(
      'INVALID_CONFIG',
      `Config file ${path} is not valid ${format}: ${(error as Error).message.trim()}`,
      {
        path,
        cause: error,
      },
    );
  }
  // An empty file is an empty config.
  if (parsed === null || parsed === undefined) return {};
  const problems = validateConfigInput(parsed);
  if (problems.length > 0) throw configError(problems, path);
  return absolutePaths(parsed, dirname(path));
}

function isInlinePem(value: string): boolean {
  return value.includes('-----BEGIN');
}

/** Makes TLS file paths, a `level:DIR` path, catalogue files and `history.path` absolute against `base`. Input already validated. */
function absolutePaths(input: BrokerConfigInput, base: string): BrokerConfigInput {
  const absolute = (value: string): string => (isAbsolute(value) ? value : resolve(base, value));
  const result: BrokerConfigInput = { ...input };
  if (input.listeners !== undefined) {
    const listeners: NonNullable<BrokerConfigInput['listeners']> = { ...input.listeners };
    for (const name of TLS_LISTENERS) {
      const entry = listeners[name];
      if (entry === undefined || entry === false || entry === null) continue;
      const fix = (listener: ListenerConfigInput): ListenerConfigInput => {
        const copy = { ...listener };
        for (const field of PEM_FIELDS) {
          const value = copy[field];
          if (value !== undefined && !isInlinePem(value)) copy[field] = absolute(value);
        }
        return copy;
      };
      listeners[name] = Array.isArray(entry) ? entry.map(fix) : fix(entry);
    }
    result.listeners = listeners;
  }
  if (input.persistence?.startsWith('level:') === true) {
    result.persistence = `level:${absolute(input.persistence.slice('level:'.length))}`;
  }
  if (Array.isArray(input.catalogue?.files)) {
    result.catalogue = { ...input.catalogue, files: input.catalogue.files.map(absolute) };
  }
  if (typeof input.history?.path === 'string') {
    result.history = { ...input.history, path: absolute(input.history.path) };
  }
  return result;
}

/**
 * Checks that every TLS file a config names can be read and holds PEM text, so a typo fails at
 * start-up with the key at fault instead of as ENOENT from deep inside a listener.
 */
export async function checkConfigFiles(config: BrokerConfig): Promise<void> {
  const problems: ConfigProblem[] = [];
  for (const name of TLS_LISTENERS) {
    const listeners: ListenerConfig[] = config.listeners[name];
    for (const [index, listener] of listeners.entries()) {
      for (const field of PEM_FIELDS) {
        const value = listener[field];
        if (value === undefined || isInlinePem(value)) continue;
        const path = `listeners.${name}${listeners.length > 1 ? `[${index}]` : ''}.${field}`;
        let text: string;
        try {
          text = await readFile(value, 'utf8');
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          const reason =
            code === 'ENOENT'
              ? 'no such file'
              : code === 'EACCES'
                ? 'permission denied'
                : (error as Error).message;
          problems.push({ path, message: `${path} names ${value}, which cannot be read (${reason})` });
          continue;
        }
        if (!isInlinePem(text))
          problems.push({
            path,
            message: `${path} names ${value}, which holds no PEM block ("-----BEGIN ...")`,
          });
      }
    }
  }
  if (problems.length > 0) throw configError(problems);
}
