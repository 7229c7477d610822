/**
 * THE table of broker options: one row per key, with its env var, CLI flag, type, default and
 * meaning. Validation, the env mapping (`envToConfig`), the flag mapping (`flagsToConfig`), the
 * README's option table and the JSDoc of `types.ts` are all derived from it, so they cannot drift
 * apart (`UPDATE_DOCS=1 pnpm vitest run --project broker options-table types-match-options`
 * rewrites the generated docs after a change here).
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
  | { kind: 'postgres-url' }
  | { kind: 'pem' }
  | { kind: 'paths' };

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
  /** What the option does: the README's meaning cell and the key's JSDoc in `types.ts` (one sentence or a few). */
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
      meaning:
        'Set `false` to turn the listener off (the same as omitting it from a file that has a `listeners` section; useful from env: `FIREHOSE_LISTENERS_WS_ENABLED=false`).',
    }),
    option({
      key: `listeners.${name}.host`,
      type: { kind: 'string' },
      expect: 'a host name or IP address',
      default: DEFAULT_HOST,
      meaning: 'Interface to bind.',
    }),
    option({
      key: `listeners.${name}.port`,
      type: PORT,
      expect: PORT_EXPECT,
      default: String(DEFAULT_PORTS[name]),
      ...(LISTENER_FLAGS[name] === undefined ? {} : { flag: LISTENER_FLAGS[name] }),
      meaning: 'TCP port; `0` picks a free port (read it back with `broker.address()`).',
    }),
  ];
  if (name !== 'http') {
    specs.push(
      option({
        key: `listeners.${name}.payload`,
        type: { kind: 'enum', values: ['envelope', 'data'] },
        expect: '"envelope" or "data"',
        default: 'envelope',
        meaning:
          "`envelope` delivers the CloudEvents envelope as published; `data` delivers only the envelope's `data` (the service's original JSON), for consumers written for OpenStack's firehose. Not allowed on `http`.",
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
        meaning: 'URL path of the WebSocket endpoint (`ws`, `wss` only).',
      }),
    );
  }
  if (tls) {
    for (const [field, meaning] of [
      [
        'cert',
        'TLS certificate chain (`mqtts`, `wss` only; required there): a PEM file path, relative to the config file, or the PEM text itself.',
      ],
      ['key', 'TLS private key (`mqtts`, `wss` only; required there): a PEM file path or the PEM text.'],
      ['ca', 'CA bundle for client certificates (`mqtts`, `wss` only): a PEM file path or the PEM text.'],
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
  maxPacketBytes: [
    64,
    'Largest MQTT packet accepted, in bytes, enforced from the fixed header before buffering.',
  ],
  maxTopicLength: [1, 'Longest topic accepted, in bytes.'],
  maxTopicLevels: [1, 'Most levels in a topic or filter.'],
  maxConnections: [1, 'Most connections in total.'],
  maxConnectionsPerIp: [1, 'Most connections from one IP address.'],
  connectionRatePerIp: [1, 'Most new connections per IP address per minute.'],
  connectTimeoutMs: [100, 'Time a new connection has to send CONNECT, in milliseconds.'],
  keepaliveMin: [
    0,
    'Smallest keepalive a client may ask for, in seconds (`0`, no keepalive, is allowed only when this is 0).',
  ],
  keepaliveMax: [1, 'Largest keepalive a client may ask for, in seconds.'],
  queueSoftBytes: [
    1024,
    'Outbound bytes queued for one client above which QoS 0 messages to it are dropped.',
  ],
  queueHardBytes: [1024, 'Outbound bytes queued for one client above which it is disconnected.'],
  sessionExpiry: [1, 'Seconds a disconnected persistent session is kept before it is removed.'],
  maxOfflineMessages: [1, 'Most messages queued for one offline persistent session; older ones are dropped.'],
  maxSessionsPerIp: [1, 'Most persistent sessions created from one IP address.'],
  authFailuresPerMinute: [
    1,
    'Failed logins per IP address per minute; above it logins are refused without hashing.',
  ],
  maxConcurrentAuth: [
    1,
    "Password verifications running at once (scrypt shares libuv's 4-thread pool with disk I/O).",
  ],
  maxQueuedAuth: [0, 'Logins waiting for a verification slot; beyond it they are refused as busy.'],
  inflight: [1, 'Unacknowledged QoS 1/2 messages in flight to one client.'],
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
    meaning:
      'Filters anonymous clients may subscribe to; a SUBSCRIBE filter must be covered by one of them. `#` does not cover `$SYS/#` or `$firehose/#` [MQTT-4.7.2-1]: list them to make them readable. From env: comma-separated.',
  }),
  option({
    key: 'anonymous.write',
    type: { kind: 'filters' },
    expect: 'a list of MQTT topic filters',
    default: '(none)',
    meaning: 'Filters anonymous clients may publish to (keep empty in production).',
  }),
  option({
    key: 'anonymous.deny',
    type: { kind: 'filters' },
    expect: 'a list of MQTT topic filters',
    default: '(none)',
    meaning:
      'Filters anonymous clients never receive, checked per delivered message (live, retained and offline), so a `#` subscriber does not see them either.',
  }),
  option({
    key: 'accounts.<name>.password',
    type: { kind: 'hashes' },
    expect: 'a scrypt hash from hashPassword() ("scrypt$N$r$p$salt$hash") or a list of them',
    default: '—',
    meaning:
      "The account's password as a scrypt hash made by `hashPassword()` / `firehose broker hash-password`; a list of hashes during rotation (any of them is accepted).",
    required: true,
    secret: true,
  }),
  option({
    key: 'accounts.<name>.write',
    type: { kind: 'filters' },
    expect: 'a list of MQTT topic filters',
    default: '(none)',
    meaning: 'Topic filters the account may publish to.',
  }),
  option({
    key: 'accounts.<name>.read',
    type: { kind: 'filters' },
    expect: 'a list of MQTT topic filters',
    default: '(none)',
    meaning:
      'Extra filters the account may subscribe to and receive, on top of `anonymous.read`; they also lift `anonymous.deny` for what they cover.',
  }),
  option({
    key: 'accounts.<name>.clientIds',
    type: { kind: 'client-ids' },
    expect: 'a list of client ids, each exact or a prefix ending in "*"',
    default: '`<name>`, `<name>-*`, `<name>/*`',
    meaning:
      'Client ids reserved for this account: an exact id, or a prefix ending in `*`. Nobody else (another account or an anonymous client) may connect with a reserved id.',
  }),
  option({
    key: 'accounts.<name>.payload',
    type: { kind: 'enum', values: ['envelope', 'data'] },
    expect: '"envelope" or "data"',
    default: 'envelope',
    meaning:
      "What the account publishes: `envelope`, CloudEvents envelopes (the SDK, `firehose pub`), or `data`, its service's own JSON as the upstream tool sends it (Zuul's MQTT reporter, an Ansible callback), which the broker wraps at intake: type from the topic, id from the declared identity. Undeclared topics pass unwrapped.",
  }),
  option({
    key: 'validation.enabled',
    type: { kind: 'bool' },
    expect: 'true or false',
    default: 'true',
    meaning: 'Validate each publish against its schema before fan-out.',
  }),
  option({
    key: 'validation.undeclared',
    type: { kind: 'enum', values: ['allow', 'reject'] },
    expect: '"allow" or "reject"',
    default: 'allow',
    meaning:
      'Topics no schema declares: `allow` delivers and flags them in the catalogue, `reject` diverts them like invalid events.',
  }),
  option({
    key: 'validation.invalidExcerptBytes',
    type: { kind: 'int', min: 0, max: MAX_INT },
    expect: 'an integer ≥ 0',
    default: String(DEFAULT_INVALID_EXCERPT_BYTES),
    meaning:
      'Size cap of the payload excerpt in the detail records on `$firehose/invalid-detail/<service>/<account>`, in bytes. The public record on `$firehose/invalid/<service>` never carries payload bytes.',
  }),
  option({
    key: 'validation.details.readers',
    type: { kind: 'account-names' },
    expect: 'a list of account names',
    default: '(none)',
    meaning: "Accounts that may read every refused publish's details (operators).",
  }),
  option({
    key: 'validation.details.publisher',
    type: { kind: 'bool' },
    expect: 'true or false',
    default: 'false',
    meaning: 'Each account may read the details of its own refused publishes.',
  }),
  option({
    key: 'validation.services.<name>.enabled',
    type: { kind: 'bool' },
    expect: 'true or false',
    default: 'true',
    meaning: "Validate this service's events against their schemas.",
  }),
  option({
    key: 'persistence',
    type: { kind: 'persistence' },
    expect: PERSISTENCE_EXPECT,
    default: 'memory',
    flag: 'persistence',
    meaning:
      'Where sessions and retained messages live: `memory`, `level:DIR` (on disk, one node) or `redis://HOST:PORT[/DB]` (shared; several brokers form a cluster) or `redis-sentinel://HOST:PORT,HOST:PORT/MASTER[/DB]` (the same, following Sentinel failovers).',
  }),
  option({
    key: 'redis.replicaWait',
    type: { kind: 'int', min: 0, max: 60_000 },
    expect: 'an integer 0–60000 (milliseconds)',
    default: '(1000 with redis-sentinel://, else 0)',
    meaning:
      "With Redis persistence: how long a QoS 1 PUBACK waits, at most, for a replica to hold the message's store writes (`WAIT 1`, once per event-loop turn for every PUBACK pending); `0` acknowledges without waiting. A publish whose writes may have died with a failed-over primary gets no PUBACK: its connection ends and the publisher resends it. With no replica connected, or none within the wait, the PUBACK goes out anyway (`firehose_puback_unreplicated_total`).",
  }),
  ...limitOptions(),
  option({
    key: 'trustProxy.forwardedFor',
    type: { kind: 'bool' },
    expect: 'true or false',
    default: 'false',
    meaning:
      'Use the `X-Forwarded-For` header of WebSocket upgrades for per-IP limits (`trustProxy: true` sets this).',
  }),
  option({
    key: 'trustProxy.proxyProtocol',
    type: { kind: 'bool' },
    expect: 'true or false',
    default: 'false',
    meaning:
      'Expect a PROXY protocol (v1/v2) header on every MQTT and MQTT-over-TLS connection (before the TLS handshake).',
  }),
  option({
    key: 'catalogue.files',
    type: { kind: 'paths' },
    expect: 'a list of file paths',
    default: '(none)',
    flag: 'catalogue',
    meaning:
      'Site catalogue files (YAML or JSON, `firehose-catalogue: 1`; relative to the config file) whose services run beside the built-in ones; re-read on SIGHUP. From env: comma-separated; `--catalogue` is repeatable and replaces the list.',
  }),
  option({
    key: 'catalogue.builtin',
    type: { kind: 'bool' },
    expect: 'true or false',
    default: 'true',
    meaning:
      "`false` runs only the catalogue files' services, without the built-in OpenStack ones (a site-only broker).",
  }),
  option({
    key: 'catalogue.interval',
    type: { kind: 'int', min: 0, max: 86_400 },
    expect: 'an integer 0–86400',
    default: '5',
    meaning: 'Seconds between `$firehose/catalogue/...` publications; `0` turns the catalogue off.',
  }),
  option({
    key: 'sys.interval',
    type: { kind: 'int', min: 0, max: 86_400 },
    expect: 'an integer 0–86400',
    default: '10',
    meaning: 'Seconds between `$SYS` publications; `0` turns them off.',
  }),
  option({
    key: 'history.enabled',
    type: { kind: 'bool' },
    expect: 'true or false',
    default: 'false',
    meaning:
      'Archive accepted events and serve them over HTTP. Off by default: it writes to disk, and the operator picks where. With Redis persistence (a cluster) the log is one Redis Stream shared by the nodes, and every node must have history on (docs/architecture.md#cluster-history).',
  }),
  option({
    key: 'history.path',
    type: { kind: 'string' },
    expect: 'a file path',
    default: DEFAULT_HISTORY.path,
    meaning: 'The SQLite archive file, relative to the config file (WAL files beside it).',
  }),
  option({
    key: 'history.retention.maxAge',
    type: { kind: 'int', min: 60, max: 315_360_000 },
    expect: 'an integer 60–315360000 (seconds)',
    default: String(DEFAULT_HISTORY.maxAge),
    meaning: 'Seconds an event is kept (default 30 days); older events are dropped in whole chunks.',
  }),
  option({
    key: 'history.retention.maxBytes',
    type: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER },
    expect: 'an integer ≥ 0 (bytes; 0 for no limit)',
    default: '0',
    meaning: 'Largest archive in bytes, the oldest chunks dropped past it; `0` for no limit.',
  }),
  option({
    key: 'history.postgres',
    type: { kind: 'postgres-url' },
    expect: 'a PostgreSQL URL (postgres://user:password@host:5432/database)',
    default: '—',
    meaning:
      "With Redis persistence: the deep archive, a PostgreSQL database every node feeds from the history stream in batches, answering reads older than the stream's trim (monthly partitions, kept for `history.retention.maxAge`); without it, cluster history reaches back as far as the stream.",
    secret: true,
  }),
  option({
    key: 'history.stream.maxLen',
    type: { kind: 'int', min: 1000, max: 1_000_000_000 },
    expect: 'an integer 1000–1000000000',
    default: String(DEFAULT_HISTORY.streamMaxLen),
    meaning:
      'With Redis persistence: entries the cluster-wide history stream keeps, about (`XADD … MAXLEN ~`); older ones are trimmed.',
  }),
  option({
    key: 'history.queue',
    type: { kind: 'int', min: 100, max: 10_000_000 },
    expect: 'an integer 100–10000000',
    default: String(DEFAULT_HISTORY.queue),
    meaning:
      'Events waiting to be written (with Redis: XADDs waiting for an answer), at most; past it new events are delivered but not archived (counted as `history_overflow`).',
  }),
  option({
    key: 'history.streamsPerIp',
    type: { kind: 'int', min: 1, max: 10_000 },
    expect: 'an integer 1–10000',
    default: String(DEFAULT_HISTORY.streamsPerIp),
    meaning: 'Open `GET /v1/stream` connections per client address, at most; past it a 429 with Retry-After.',
  }),
  option({
    key: 'log.level',
    type: { kind: 'enum', values: LOG_LEVELS },
    expect: `one of ${LOG_LEVELS.map((l) => `"${l}"`).join(', ')}`,
    default: 'info',
    flag: 'log-level',
    meaning: 'Log level of the logger the CLI creates.',
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
