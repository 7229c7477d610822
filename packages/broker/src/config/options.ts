/**
 * THE table of broker options: one row per key, with its env var, CLI flag, type, default and
 * meaning. Validation, the env mapping (`envToConfig`), the flag mapping (`flagsToConfig`) and the
 * README's option table are all derived from it, so they cannot drift apart.
 */
import {
  DEFAULT_ANONYMOUS_READ,
  DEFAULT_HISTORY,
  DEFAULT_HOST,
  DEFAULT_INVALID_EXCERPT_BYTES,
  DEFAULT_LIMITS,
  DEFAULT_PORTS,
  DEFAULT_WS_PATH,
} from './defaults.js';
import { PERSISTENCE_EXPECT } from './parse-persistence.js';
import type { LimitsInput, ListenerName } from './types.js';

/** How a value is checked (and how an env var / flag string is converted). */
export type OptionKind =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'bool' }
  | { kind: 'string' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'filters' }
  | { kind: 'hashes' }
  | { kind: 'client-ids' }
  | { kind: 'account-names' }
  | { kind: 'persistence' }
  | { kind: 'ws-path' }
  | { kind: 'pem' };

export interface OptionSpec {
  /** Dotted key; `<name>` stands for any account or service name. */
  key: string;
  type: OptionKind;
  /** What a valid value is, as it reads after "must be": `an integer 0–65535`. */
  expect: string;
  /** Default as shown in docs; `—` when there is none. */
  default: string;
  /** Environment variable, when the option can be set from the environment. */
  env?: string;
  /** `firehose broker` flag (without `--`), when there is one. */
  flag?: string;
  meaning: string;
  /** Required whenever its parent object is present. */
  required?: boolean;
  /** Never echo the value in errors or `printConfig`. */
  secret?: boolean;
}

const PORT: OptionKind = { kind: 'int', min: 0, max: 65_535 };
const PORT_EXPECT = 'an integer 0–65535';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `limits.maxPacketBytes` → `FIREHOSE_LIMITS_MAX_PACKET_BYTES`. */
function envName(key: string): string {
  return `FIREHOSE_${key
    .split('.')
    .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())
    .join('_')}`;
}

function option(spec: Omit<OptionSpec, 'env'> & { env?: string | false }): OptionSpec {
  const { env, ...rest } = spec;
  // Keys under a `<name>` record have no fixed env var.
  if (env === false || spec.key.includes('<name>')) return rest;
  return { ...rest, env: env ?? envName(spec.key) };
}

const LISTENER_FLAGS: Partial<Record<ListenerName, string>> = {
  mqtt: 'port',
  ws: 'ws-port',
  http: 'http-port',
};

function listenerOptions(name: ListenerName): OptionSpec[] {
  const tls = name === 'mqtts' || name === 'wss';
  const ws = name === 'ws' || name === 'wss';
  const specs: OptionSpec[] = [
    option({
      key: `listeners.${name}.enabled`,
      type: { kind: 'bool' },
      expect: 'true or false',
      default: 'true',
      meaning: `\`false\` turns the ${name} listener off`,
    }),
    option({
      key: `listeners.${name}.host`,
      type: { kind: 'string' },
      expect: 'a host name or IP address',
      default: DEFAULT_HOST,
      meaning: 'interface to bind',
    }),
    option({
      key: `listeners.${name}.port`,
      type: PORT,
      expect: PORT_EXPECT,
      default: String(DEFAULT_PORTS[name]),
      ...(LISTENER_FLAGS[name] === undefined ? {} : { flag: LISTENER_FLAGS[name] }),
      meaning: 'TCP port; `0` picks a free one',
    }),
  ];
  if (name !== 'http') {
    specs.push(
      option({
        key: `listeners.${name}.payload`,
        type: { kind: 'enum', values: ['envelope', 'data'] },
        expect: '"envelope" or "data"',
        default: 'envelope',
        meaning: "`data` delivers only the envelope's `data` (compatibility listener)",
      }),
    );
  }
  if (ws) {
    specs.push(
      option({
        key: `listeners.${name}.path`,
        type: { kind: 'ws-path' },
        expect: 'a URL path starting with "/"',
        default: DEFAULT_WS_PATH,
        meaning: 'WebSocket endpoint path',
      }),
    );
  }
  if (tls) {
    for (const [field, meaning] of [
      ['cert', 'TLS certificate chain: PEM file path (relative to the config file) or PEM text; required'],
      ['key', 'TLS private key: PEM file path or PEM text; required'],
      ['ca', 'CA bundle for client certificates: PEM file path or PEM text'],
    ] as const) {
      specs.push(
        option({
          key: `listeners.${name}.${field}`,
          type: { kind: 'pem' },
          expect: 'a PEM file path or PEM text',
          default: '—',
          meaning,
          ...(field === 'key' ? { secret: true } : {}),
        }),
      );
    }
  }
  return specs;
}

const LIMIT_DOCS: Record<keyof LimitsInput, [min: number, meaning: string]> = {
  maxPacketBytes: [64, 'largest MQTT packet in bytes, enforced from the fixed header before buffering'],
  maxTopicLength: [1, 'longest topic in bytes'],
  maxTopicLevels: [1, 'most levels in a topic or filter'],
  maxConnections: [1, 'most connections in total'],
  maxConnectionsPerIp: [1, 'most connections from one IP'],
  connectionRatePerIp: [1, 'most new connections per IP per minute'],
  connectTimeoutMs: [100, 'milliseconds a new connection has to send CONNECT'],
  keepaliveMin: [0, 'smallest keepalive (s) a client may ask for'],
  keepaliveMax: [1, 'largest keepalive (s) a client may ask for'],
  queueSoftBytes: [1024, 'queued outbound bytes per client above which QoS 0 is dropped'],
  queueHardBytes: [1024, 'queued outbound bytes per client above which it is disconnected'],
  sessionExpiry: [1, 'seconds a disconnected persistent session is kept'],
  maxOfflineMessages: [1, 'most messages queued for one offline session (oldest dropped)'],
  maxSessionsPerIp: [1, 'most persistent sessions created from one IP'],
  authFailuresPerMinute: [1, 'failed logins per IP per minute before logins are refused without hashing'],
  maxConcurrentAuth: [1, 'password verifications (scrypt) running at once'],
  maxQueuedAuth: [0, 'logins waiting for a verification slot before they are refused as busy'],
  inflight: [1, 'unacknowledged QoS 1/2 messages in flight to one client'],
};

const MAX_INT = 2_147_483_647;

function limitOptions(): OptionSpec[] {
  return (Object.keys(LIMIT_DOCS) as (keyof LimitsInput)[]).map((name) => {
    const [min, meaning] = LIMIT_DOCS[name];
    return option({
      key: `limits.${name}`,
      type: { kind: 'int', min, max: MAX_INT },
      expect: `an integer ≥ ${min}`,
      default: String(DEFAULT_LIMITS[name]),
      meaning,
    });
  });
}

/** Every broker option, in README order. */
export const OPTIONS: readonly OptionSpec[] = [
  ...(['mqtt', 'mqtts', 'ws', 'wss', 'http'] as const).flatMap(listenerOptions),
  option({
    key: 'anonymous.read',
    type: { kind: 'filters' },
    expect: 'a list of MQTT topic filters',
    default: DEFAULT_ANONYMOUS_READ.join(', '),
    meaning: 'filters anonymous clients may subscribe to (env: comma-separated)',
  }),
  option({
    key: 'anonymous.write',
    type: { kind: 'filters' },
    expect: 'a list of MQTT topic filters',
    default: '(none)',
    meaning: 'filters anonymous clients may publish to',
  }),
  option({
    key: 'anonymous.deny',
    type: { kind: 'filters' },
    expect: 'a list of MQTT topic filters',
    default: '(none)',
    meaning: 'filters anonymous clients never receive (checked per delivered message)',
  }),
  option({
    key: 'accounts.<name>.password',
    type: { kind: 'hashes' },
    expect: 'a scrypt hash from hashPassword() ("scrypt$N$r$p$salt$hash") or a list of them',
    default: '—',
    meaning: 'password hash; a list during rotation',
    required: true,
    secret: true,
  }),
  option({
    key: 'accounts.<name>.write',
    type: { kind: 'filters' },
    expect: 'a list of MQTT topic filters',
    default: '(none)',
    meaning: 'filters the account may publish to',
  }),
  option({
    key: 'accounts.<name>.read',
    type: { kind: 'filters' },
    expect: 'a list of MQTT topic filters',
    default: '(none)',
    meaning: 'extra filters the account may read, also lifting `anonymous.deny`',
  }),
  option({
    key: 'accounts.<name>.clientIds',
    type: { kind: 'client-ids' },
    expect: 'a list of client ids, each exact or a prefix ending in "*"',
    default: '`<name>`, `<name>-*`, `<name>/*`',
    meaning: 'client ids only this account may use',
  }),
  option({
    key: 'accounts.<name>.payload',
    type: { kind: 'enum', values: ['envelope', 'data'] },
    expect: '"envelope" or "data"',
    default: 'envelope',
    meaning:
      "`data`: the account publishes its service's own JSON (Zuul's MQTT reporter, an Ansible callback) and the broker wraps it in an envelope",
  }),
  option({
    key: 'validation.enabled',
    type: { kind: 'bool' },
    expect: 'true or false',
    default: 'true',
    meaning: 'validate each publish against its schema before fan-out',
  }),
  option({
    key: 'validation.undeclared',
    type: { kind: 'enum', values: ['allow', 'reject'] },
    expect: '"allow" or "reject"',
    default: 'allow',
    meaning: 'topics no schema declares: deliver and flag, or divert like invalid events',
  }),
  option({
    key: 'validation.invalidExcerptBytes',
    type: { kind: 'int', min: 0, max: MAX_INT },
    expect: 'an integer ≥ 0',
    default: String(DEFAULT_INVALID_EXCERPT_BYTES),
    meaning:
      'payload excerpt size in the detail records on `$firehose/invalid-detail/<service>/<account>` (never on `$firehose/invalid/…`)',
  }),
  option({
    key: 'validation.details.readers',
    type: { kind: 'account-names' },
    expect: 'a list of account names',
    default: '(none)',
    meaning:
      "accounts (operators) that may read every refused publish's details (excerpt, full reason, client id) on `$firehose/invalid-detail/#`",
  }),
  option({
    key: 'validation.details.publisher',
    type: { kind: 'bool' },
    expect: 'true or false',
    default: 'false',
    meaning:
      'each account may read the details of its own refused publishes on `$firehose/invalid-detail/+/<account>`',
  }),
  option({
    key: 'validation.services.<name>.enabled',
    type: { kind: 'bool' },
    expect: 'true or false',
    default: 'true',
    meaning: "validate this service's events",
  }),
  option({
    key: 'persistence',
    type: { kind: 'persistence' },
    expect: PERSISTENCE_EXPECT,
    default: 'memory',
    flag: 'persistence',
    meaning:
      'sessions and retained messages: in memory, on disk, or in Redis (cluster; through Redis Sentinel for failover)',
  }),
  ...limitOptions(),
  option({
    key: 'trustProxy.forwardedFor',
    type: { kind: 'bool' },
    expect: 'true or false',
    default: 'false',
    meaning: 'use X-Forwarded-For of WebSocket upgrades for per-IP limits (`trustProxy: true` sets this)',
  }),
  option({
    key: 'trustProxy.proxyProtocol',
    type: { kind: 'bool' },
    expect: 'true or false',
    default: 'false',
    meaning:
      'expect a PROXY protocol v1/v2 header on every MQTT and MQTT-over-TLS connection (before the TLS handshake)',
  }),
  option({
    key: 'catalogue.interval',
    type: { kind: 'int', min: 0, max: 86_400 },
    expect: 'an integer 0–86400',
    default: '5',
    meaning: 'seconds between `$firehose/catalogue/...` publications; 0 turns it off',
  }),
  option({
    key: 'sys.interval',
    type: { kind: 'int', min: 0, max: 86_400 },
    expect: 'an integer 0–86400',
    default: '10',
    meaning: 'seconds between `$SYS/...` publications; 0 turns them off',
  }),
  option({
    key: 'history.enabled',
    type: { kind: 'bool' },
    expect: 'true or false',
    default: 'false',
    meaning:
      'keep an archive of accepted events for `GET /v1/events` and `/v1/stream` (off by default: it writes to disk, and the operator picks where); on a Redis cluster the log is a Redis Stream, and every node must have it on',
  }),
  option({
    key: 'history.path',
    type: { kind: 'string' },
    expect: 'a file path',
    default: DEFAULT_HISTORY.path,
    meaning: 'the SQLite archive file (relative to the config file; WAL files beside it)',
  }),
  option({
    key: 'history.retention.maxAge',
    type: { kind: 'int', min: 60, max: 315_360_000 },
    expect: 'an integer 60–315360000 (seconds)',
    default: String(DEFAULT_HISTORY.maxAge),
    meaning: 'seconds an event is kept (default 30 days); older events are dropped in whole chunks',
  }),
  option({
    key: 'history.retention.maxBytes',
    type: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER },
    expect: 'an integer ≥ 0 (bytes; 0 for no limit)',
    default: '0',
    meaning: 'largest archive in bytes; the oldest chunks are dropped past it (0: no size limit)',
  }),
  option({
    key: 'history.stream.maxLen',
    type: { kind: 'int', min: 1000, max: 1_000_000_000 },
    expect: 'an integer 1000–1000000000',
    default: String(DEFAULT_HISTORY.streamMaxLen),
    meaning:
      'with Redis persistence: entries the cluster-wide history stream keeps, about (`XADD … MAXLEN ~`); older ones are trimmed',
  }),
  option({
    key: 'history.queue',
    type: { kind: 'int', min: 100, max: 10_000_000 },
    expect: 'an integer 100–10000000',
    default: String(DEFAULT_HISTORY.queue),
    meaning:
      'events waiting to be written (with Redis: XADDs waiting for an answer), at most; past it new events are not archived (still delivered), counted as `history_overflow`',
  }),
  option({
    key: 'history.streamsPerIp',
    type: { kind: 'int', min: 1, max: 10_000 },
    expect: 'an integer 1–10000',
    default: String(DEFAULT_HISTORY.streamsPerIp),
    meaning: 'open `GET /v1/stream` connections per client address, at most (429 with Retry-After past it)',
  }),
  option({
    key: 'log.level',
    type: { kind: 'enum', values: LOG_LEVELS },
    expect: `one of ${LOG_LEVELS.map((l) => `"${l}"`).join(', ')}`,
    default: 'info',
    flag: 'log-level',
    meaning: 'log level',
  }),
];

/** Options by key. */
export const OPTIONS_BY_KEY: ReadonlyMap<string, OptionSpec> = new Map(OPTIONS.map((o) => [o.key, o]));

/** Keys that are objects (every proper prefix of an option key). */
export const OBJECT_KEYS: ReadonlySet<string> = new Set(
  OPTIONS.flatMap((o) => {
    const parts = o.key.split('.');
    return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('.'));
  }),
);

/** Objects whose keys are names (`accounts.gerrit`, `validation.services.ansible`). */
export const RECORD_KEYS: ReadonlySet<string> = new Set(['accounts', 'validation.services']);
