import { closestName, isFirehoseError, validateFilter } from '@firehose/protocol';
import { parseHash } from '../auth/password.js';
import { type ConfigProblem, describeValue } from './config-error.js';
import { OBJECT_KEYS, OPTIONS_BY_KEY, type OptionSpec, RECORD_KEYS } from './options.js';
import { parsePersistence } from './parse-persistence.js';

const LISTENER_KEY = /^listeners\.(mqtt|mqtts|ws|wss|http)$/;

/**
 * Checks a config input (a parsed file, or what a program passes to `createBroker`) against the
 * option table: unknown keys, wrong types and out-of-range values each become one problem naming
 * the key and what is expected. Returns every problem; an empty list means the input is valid.
 */
export function validateConfigInput(input: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (input === undefined || input === null) return problems;
  checkObject(input, '', '', problems);
  return problems;
}

/** Problem with one leaf value, or `undefined` when it is valid. `path` is how to name it. */
export function checkOptionValue(spec: OptionSpec, value: unknown, path: string): ConfigProblem | undefined {
  const fail = (detail?: string): ConfigProblem => ({
    path,
    message:
      `${path} must be ${spec.expect}, got ` +
      (spec.secret === true && typeof value === 'string' ? 'something else' : describeValue(value)) +
      (detail === undefined ? '' : ` (${detail})`),
  });
  const { type } = spec;
  switch (type.kind) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && value >= type.min && value <= type.max
        ? undefined
        : fail();
    case 'bool':
      return typeof value === 'boolean' ? undefined : fail();
    case 'string':
    case 'pem':
      return typeof value === 'string' && value.length > 0 ? undefined : fail();
    case 'enum':
      return typeof value === 'string' && type.values.includes(value) ? undefined : fail();
    case 'ws-path':
      return typeof value === 'string' && value.startsWith('/') ? undefined : fail();
    case 'postgres-url': {
      if (typeof value !== 'string') return fail();
      let url: URL | undefined;
      try {
        url = new URL(value);
      } catch {
        url = undefined;
      }
      const ok =
        url !== undefined &&
        (url.protocol === 'postgres:' || url.protocol === 'postgresql:') &&
        url.hostname !== '';
      return ok ? undefined : fail();
    }
    case 'persistence': {
      if (typeof value !== 'string') return fail();
      const parsed = parsePersistence(value);
      return typeof parsed === 'string'
        ? { path, message: `${path} ${parsed}, got ${describeValue(value)}` }
        : undefined;
    }
    case 'filters': {
      if (!Array.isArray(value)) return fail();
      for (const [index, filter] of value.entries()) {
        if (typeof filter !== 'string') return fail(`item ${index} is not a string`);
        try {
          validateFilter(filter);
        } catch (error) {
          if (!isFirehoseError(error)) throw error;
          return {
            path: `${path}[${index}]`,
            message: `${path}[${index}]: ${error.message.replace(/\.$/, '')}`,
          };
        }
      }
      return undefined;
    }
    case 'client-ids': {
      if (!Array.isArray(value)) return fail();
      const bad = value.findIndex(
        (id) => typeof id !== 'string' || id === '' || id === '*' || id.slice(0, -1).includes('*'),
      );
      return bad === -1 ? undefined : fail(`item ${bad} is not a client id or a prefix ending in "*"`);
    }
    case 'paths': {
      if (!Array.isArray(value)) return fail();
      const bad = value.findIndex((item) => typeof item !== 'string' || item === '');
      return bad === -1 ? undefined : fail(`item ${bad} is not a file path`);
    }
    case 'account-names': {
      if (!Array.isArray(value)) return fail();
      const bad = value.findIndex((name) => typeof name !== 'string' || name === '');
      return bad === -1 ? undefined : fail(`item ${bad} is not an account name`);
    }
    case 'hashes': {
      const list: unknown[] = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
      if (list.length === 0) return fail();
      for (const hash of list) {
        if (typeof hash !== 'string' || typeof parseHash(hash) === 'string') {
          return fail('plain passwords are not accepted: hash them with `firehose passwd` or hashPassword()');
        }
      }
      return undefined;
    }
  }
}

function checkNode(value: unknown, path: string, key: string, problems: ConfigProblem[]): void {
  // `undefined` is how programs omit a key; treat it as absent.
  if (value === undefined) return;
  const spec = OPTIONS_BY_KEY.get(key);
  if (spec !== undefined) {
    const problem = checkOptionValue(spec, value, path);
    if (problem !== undefined) problems.push(problem);
    return;
  }
  if (LISTENER_KEY.test(key)) {
    // `false` turns a listener off; a bare `mqtt:` in YAML (null) turns it on with defaults.
    if (value === false || value === null) return;
    if (Array.isArray(value)) {
      if (value.length === 0) {
        problems.push({
          path,
          message: `${path} must list at least one listener (or be false to turn it off), got an empty list`,
        });
      }
      value.forEach((item, index) => checkObject(item, `${path}[${index}]`, key, problems));
      return;
    }
  }
  if (key === 'trustProxy' && typeof value === 'boolean') return;
  // A section left empty in YAML (`accounts:` with its entries commented out) is null: absent.
  if (value === null && isNullableSection(key)) return;
  checkObject(value, path, key, problems);
}

function checkObject(value: unknown, path: string, key: string, problems: ConfigProblem[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({
      path: path || '(root)',
      message: `${path || 'the config'} must be ${objectExpectation(key)}, got ${describeValue(value)}`,
    });
    return;
  }
  const isRecord = RECORD_KEYS.has(key);
  for (const [name, child] of Object.entries(value)) {
    const childPath = path === '' ? name : `${path}.${name}`;
    if (isRecord) {
      if (name === '')
        problems.push({ path: childPath, message: `${path} has an empty name; give each entry a name` });
      checkNode(child, childPath, `${key}.<name>`, problems);
      continue;
    }
    const childKey = key === '' ? name : `${key}.${name}`;
    if (OPTIONS_BY_KEY.has(childKey) || OBJECT_KEYS.has(childKey)) {
      checkNode(child, childPath, childKey, problems);
    } else {
      const suggestion = closestKey(key, name);
      problems.push({
        path: childPath,
        message: `${childPath} is not a config key${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`,
      });
    }
  }
  if (!isRecord) {
    for (const spec of OPTIONS_BY_KEY.values()) {
      if (spec.required !== true) continue;
      const parent = spec.key.slice(0, spec.key.lastIndexOf('.'));
      const field = spec.key.slice(spec.key.lastIndexOf('.') + 1);
      if (parent === key && (value as Record<string, unknown>)[field] === undefined) {
        problems.push({
          path: `${path}.${field}`,
          message: `${path}.${field} is required: it must be ${spec.expect}`,
        });
      }
    }
  }
}

/** Sections whose `null` means "not given" (not listeners, not named entries like an account). */
export function isNullableSection(key: string): boolean {
  return OBJECT_KEYS.has(key) && !LISTENER_KEY.test(key) && !key.endsWith('<name>');
}

function objectExpectation(key: string): string {
  if (key === '') return 'an object (a YAML mapping)';
  if (LISTENER_KEY.test(key)) return 'an object, a list of objects or false';
  if (key === 'trustProxy') return 'true, false or an object';
  return 'an object';
}

/** The sibling key closest to a misspelt one, when one is close enough to be a likely typo. */
function closestKey(parent: string, name: string): string | undefined {
  const prefix = parent === '' ? '' : `${parent}.`;
  const siblings = new Set<string>();
  for (const key of [...OPTIONS_BY_KEY.keys(), ...OBJECT_KEYS]) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length).split('.')[0];
    if (rest !== undefined && rest !== '<name>') siblings.add(rest);
  }
  const best = closestName(name, siblings);
  return best === undefined ? undefined : `${prefix}${best}`;
}
