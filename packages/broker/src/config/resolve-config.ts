import { type ConfigProblem, configError } from './config-error.js';
import {
  DEFAULT_ANONYMOUS_READ,
  DEFAULT_CATALOGUE_INTERVAL,
  DEFAULT_HISTORY,
  DEFAULT_HOST,
  DEFAULT_INVALID_EXCERPT_BYTES,
  DEFAULT_LIMITS,
  DEFAULT_LISTENERS,
  DEFAULT_LOG_LEVEL,
  DEFAULT_PORTS,
  DEFAULT_REPLICA_WAIT_MS,
  DEFAULT_SYS_INTERVAL,
  DEFAULT_WS_PATH,
  defaultClientIds,
} from './defaults.js';
import { parsePersistence } from './parse-persistence.js';
import type {
  Account,
  AccountInput,
  BrokerConfig,
  BrokerConfigInput,
  ListenerConfig,
  ListenerEntry,
  ListenerConfigInput,
  ListenerName,
  PersistenceConfig,
} from './types.js';
import { RECORD_KEYS } from './options.js';
import { isNullableSection, validateConfigInput } from './validate-input.js';

const LISTENER_NAMES: readonly ListenerName[] = ['mqtt', 'mqtts', 'ws', 'wss', 'http'];

export interface ResolveOptions {
  /** Where the input came from, for error messages (a file name, "flags"). */
  source?: string;
}

/**
 * Validates a config input and fills in every default. Throws one FirehoseError INVALID_CONFIG
 * listing every problem. Does not touch the file system (see `loadConfig` for that).
 */
export function resolveConfig(rawInput: BrokerConfigInput = {}, options: ResolveOptions = {}): BrokerConfig {
  const problems: ConfigProblem[] = validateConfigInput(rawInput);
  if (problems.length > 0) throw configError(problems, options.source);
  const input = dropNullSections(rawInput ?? {}, '') as BrokerConfigInput;

  const listeners = resolveListeners(input.listeners, problems);
  const accounts: Record<string, Account> = Object.create(null) as Record<string, Account>;
  for (const [name, account] of Object.entries(input.accounts ?? {}))
    accounts[name] = resolveAccount(name, account);

  const limits = { ...DEFAULT_LIMITS, ...stripUndefined(input.limits ?? {}) };
  if (limits.queueSoftBytes > limits.queueHardBytes) {
    problems.push({
      path: 'limits.queueSoftBytes',
      message: `limits.queueSoftBytes (${limits.queueSoftBytes}) must not exceed limits.queueHardBytes (${limits.queueHardBytes})`,
    });
  }
  if (limits.keepaliveMin > limits.keepaliveMax) {
    problems.push({
      path: 'limits.keepaliveMin',
      message: `limits.keepaliveMin (${limits.keepaliveMin}) must not exceed limits.keepaliveMax (${limits.keepaliveMax})`,
    });
  }

  const readers = input.validation?.details?.readers ?? [];
  readers.forEach((name, index) => {
    if (accounts[name] === undefined) {
      problems.push({
        path: `validation.details.readers[${index}]`,
        message: `validation.details.readers[${index}] names ${JSON.stringify(name)}, which is not an account; add it under accounts or remove it`,
      });
    }
  });

  let persistence: PersistenceConfig = { kind: 'memory' };
  if (input.persistence !== undefined) {
    const parsed = parsePersistence(input.persistence);
    if (typeof parsed === 'string') {
      problems.push({
        path: 'persistence',
        message: `persistence ${parsed}, got ${JSON.stringify(input.persistence)}`,
      });
    } else {
      persistence = parsed;
    }
  }
  if (input.history?.postgres !== undefined && persistence.kind !== 'redis') {
    problems.push({
      path: 'history.postgres',
      message:
        'history.postgres is the deep archive of a Redis cluster and needs persistence redis://… or redis-sentinel://…; a single node keeps its archive in history.path',
    });
  }
  const replicaWait = input.redis?.replicaWait;
  if (replicaWait !== undefined && replicaWait > 0 && persistence.kind !== 'redis') {
    problems.push({
      path: 'redis.replicaWait',
      message:
        'redis.replicaWait waits for a Redis replica and needs persistence redis://… or redis-sentinel://…; set it to 0 or remove it',
    });
  }
  if (problems.length > 0) throw configError(problems, options.source);

  const trust = input.trustProxy;
  const services: Record<string, { enabled: boolean }> = Object.create(null) as Record<
    string,
    { enabled: boolean }
  >;
  for (const [name, service] of Object.entries(input.validation?.services ?? {})) {
    services[name] = { enabled: service.enabled ?? true };
  }

  return {
    listeners,
    anonymous: {
      read: [...(input.anonymous?.read ?? DEFAULT_ANONYMOUS_READ)],
      write: [...(input.anonymous?.write ?? [])],
      deny: [...(input.anonymous?.deny ?? [])],
    },
    accounts,
    validation: {
      enabled: input.validation?.enabled ?? true,
      undeclared: input.validation?.undeclared ?? 'allow',
      invalidExcerptBytes: input.validation?.invalidExcerptBytes ?? DEFAULT_INVALID_EXCERPT_BYTES,
      details: { readers: [...readers], publisher: input.validation?.details?.publisher ?? false },
      services,
    },
    persistence,
    redis: {
      replicaWait:
        persistence.kind !== 'redis'
          ? 0
          : (replicaWait ?? (persistence.sentinels === undefined ? 0 : DEFAULT_REPLICA_WAIT_MS)),
    },
    limits,
    trustProxy:
      typeof trust === 'object'
        ? { forwardedFor: trust.forwardedFor ?? false, proxyProtocol: trust.proxyProtocol ?? false }
        : { forwardedFor: trust ?? false, proxyProtocol: false },
    catalogue: {
      files: [...(input.catalogue?.files ?? [])],
      builtin: input.catalogue?.builtin ?? true,
      interval: input.catalogue?.interval ?? DEFAULT_CATALOGUE_INTERVAL,
    },
    sys: { interval: input.sys?.interval ?? DEFAULT_SYS_INTERVAL },
    history: {
      enabled: input.history?.enabled ?? false,
      path: input.history?.path ?? DEFAULT_HISTORY.path,
      retention: {
        maxAge: input.history?.retention?.maxAge ?? DEFAULT_HISTORY.maxAge,
        maxBytes: input.history?.retention?.maxBytes ?? DEFAULT_HISTORY.maxBytes,
      },
      queue: input.history?.queue ?? DEFAULT_HISTORY.queue,
      streamsPerIp: input.history?.streamsPerIp ?? DEFAULT_HISTORY.streamsPerIp,
      stream: { maxLen: input.history?.stream?.maxLen ?? DEFAULT_HISTORY.streamMaxLen },
      postgres: input.history?.postgres,
    },
    log: { level: input.log?.level ?? DEFAULT_LOG_LEVEL },
  };
}

/** The listener list of one entry, `null` (a bare `mqtt:` in YAML) meaning "on with defaults". */
function listenerEntries(entry: ListenerEntry | null | undefined): ListenerConfigInput[] {
  if (entry === undefined || entry === false) return [];
  if (entry === null) return [{}];
  return Array.isArray(entry) ? entry : [entry];
}

function resolveListeners(
  input: BrokerConfigInput['listeners'],
  problems: ConfigProblem[],
): Record<ListenerName, ListenerConfig[]> {
  const result = { mqtt: [], mqtts: [], ws: [], wss: [], http: [] } as Record<ListenerName, ListenerConfig[]>;
  // Without a `listeners` section the classic set runs; with one, only what it names runs.
  const source: Partial<Record<ListenerName, ListenerEntry | null>> =
    input ?? Object.fromEntries(DEFAULT_LISTENERS.map((name) => [name, {}]));
  const bound = new Map<string, string>();
  for (const name of LISTENER_NAMES) {
    const entries = listenerEntries(source[name]);
    entries.forEach((entry, index) => {
      if (entry.enabled === false) return;
      const path = entries.length > 1 ? `listeners.${name}[${index}]` : `listeners.${name}`;
      const listener: ListenerConfig = {
        host: entry.host ?? DEFAULT_HOST,
        port: entry.port ?? DEFAULT_PORTS[name],
        payload: entry.payload ?? 'envelope',
      };
      if (name === 'ws' || name === 'wss') listener.path = entry.path ?? DEFAULT_WS_PATH;
      if (name === 'mqtts' || name === 'wss') {
        for (const field of ['cert', 'key'] as const) {
          const value = entry[field];
          if (value === undefined) {
            problems.push({
              path: `${path}.${field}`,
              message: `${path}.${field} is required: give a PEM file path or the PEM text (TLS listeners need a certificate and a key)`,
            });
          } else {
            listener[field] = value;
          }
        }
        if (entry.ca !== undefined) listener.ca = entry.ca;
      }
      // Port 0 means "any free port", so only fixed ports can clash.
      if (listener.port !== 0) {
        const address = `${listener.host}:${listener.port}`;
        const other = bound.get(address);
        if (other === undefined) bound.set(address, path);
        else
          problems.push({
            path,
            message: `${path} uses ${address}, already used by ${other}; give each listener its own port`,
          });
      }
      result[name].push(listener);
    });
  }
  return result;
}

function resolveAccount(name: string, input: AccountInput): Account {
  return {
    name,
    passwords: typeof input.password === 'string' ? [input.password] : [...input.password],
    write: [...(input.write ?? [])],
    read: [...(input.read ?? [])],
    clientIds: [...(input.clientIds ?? defaultClientIds(name))],
    payload: input.payload ?? 'envelope',
  };
}

/** Removes sections that are `null` (left empty in YAML), so they read as absent below. */
function dropNullSections(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(value)) {
    const childKey = RECORD_KEYS.has(key) ? `${key}.<name>` : key === '' ? name : `${key}.${name}`;
    if (child === null && isNullableSection(childKey)) continue;
    result[name] = dropNullSections(child, childKey);
  }
  return result;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
