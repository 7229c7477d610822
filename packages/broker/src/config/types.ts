/**
 * The broker's configuration: `BrokerConfigInput` is what operators write (the file of
 * docs/architecture.md#the-config-file shape, every key optional), `BrokerConfig` is what the
 * broker runs on (every default filled in, every listener a list, every account's passwords a
 * list).
 *
 * The JSDoc of every option key is generated from the option table (options.ts, its `meaning` and
 * `default`): edit it there and run `UPDATE_DOCS=1 pnpm vitest run --project broker types-match-options`.
 */

/** Which payload a listener delivers to its subscribers. */
export type ListenerPayload = 'envelope' | 'data';

/** Names of the listeners the broker can run. */
export type ListenerName = 'mqtt' | 'mqtts' | 'ws' | 'wss' | 'http';

/** One listener as written in a config file. */
export interface ListenerConfigInput {
  /**
   * Set `false` to turn the listener off (the same as omitting it from a file that has a `listeners` section;
   * useful from env: `FIREHOSE_LISTENERS_WS_ENABLED=false`).
   * @default true
   */
  enabled?: boolean;
  /**
   * Interface to bind.
   * @default "0.0.0.0"
   */
  host?: string;
  /**
   * TCP port; `0` picks a free port (read it back with `broker.address()`).
   * @default 1883 (mqtt), 8883 (mqtts), 8080 (ws), 8443 (wss), 9090 (http)
   */
  port?: number;
  /**
   * `envelope` delivers the CloudEvents envelope as published; `data` delivers only the envelope's `data`
   * (the service's original JSON), for consumers written for OpenStack's firehose. Not allowed on `http`.
   * @default "envelope"
   */
  payload?: ListenerPayload;
  /**
   * URL path of the WebSocket endpoint (`ws`, `wss` only).
   * @default "/mqtt"
   */
  path?: string;
  /**
   * TLS certificate chain (`mqtts`, `wss` only; required there): a PEM file path, relative to the config
   * file, or the PEM text itself.
   */
  cert?: string;
  /** TLS private key (`mqtts`, `wss` only; required there): a PEM file path or the PEM text. */
  key?: string;
  /** CA bundle for client certificates (`mqtts`, `wss` only): a PEM file path or the PEM text. */
  ca?: string;
}

/** A listener entry: one listener, several (`[{ port: 1883 }, { port: 1884, payload: data }]`), or `false` (off). */
export type ListenerEntry = ListenerConfigInput | ListenerConfigInput[] | false;

/** A service account as written in a config file. */
export interface AccountInput {
  /**
   * The account's password as a scrypt hash made by `hashPassword()` / `firehose broker hash-password`; a
   * list of hashes during rotation (any of them is accepted).
   */
  password: string | string[];
  /**
   * Topic filters the account may publish to.
   * @default []
   */
  write?: string[];
  /**
   * Extra filters the account may subscribe to and receive, on top of `anonymous.read`; they also lift
   * `anonymous.deny` for what they cover.
   * @default []
   */
  read?: string[];
  /**
   * Client ids reserved for this account: an exact id, or a prefix ending in `*`. Nobody else (another
   * account or an anonymous client) may connect with a reserved id.
   * @default ["<name>", "<name>-*", "<name>/*"]
   */
  clientIds?: string[];
  /**
   * What the account publishes: `envelope`, CloudEvents envelopes (the SDK, `firehose pub`), or `data`, its
   * service's own JSON as the upstream tool sends it (Zuul's MQTT reporter, an Ansible callback), which the
   * broker wraps at intake: type from the topic, id from the declared identity. Undeclared topics pass
   * unwrapped.
   * @default "envelope"
   */
  payload?: AccountPayload;
}

/** What an account publishes: envelopes, or its service's own JSON for the broker to wrap. */
export type AccountPayload = 'envelope' | 'data';

/** What anonymous clients (no username) may do. Authenticated accounts may do it too. */
export interface AnonymousInput {
  /**
   * Filters anonymous clients may subscribe to; a SUBSCRIBE filter must be covered by one of them. `#` does
   * not cover `$SYS/#` or `$firehose/#` [MQTT-4.7.2-1]: list them to make them readable. From env:
   * comma-separated.
   * @default ["#", "$SYS/#", "$firehose/#"]
   */
  read?: string[];
  /**
   * Filters anonymous clients may publish to (keep empty in production).
   * @default []
   */
  write?: string[];
  /**
   * Filters anonymous clients never receive, checked per delivered message (live, retained and offline), so a
   * `#` subscriber does not see them either.
   * @default []
   */
  deny?: string[];
}

/** Per-service validation switches. */
export interface ServiceValidationInput {
  /**
   * Validate this service's events against their schemas.
   * @default true
   */
  enabled?: boolean;
}

/**
 * Who may read the details of refused publishes (a redacted payload excerpt, the full reason, the
 * client id) on `$firehose/invalid-detail/<service>/<account>`. Nobody else can, whatever
 * `anonymous.read` or an account's `read` says; anonymous clients never can. The broker publishes
 * detail records only when someone may read them.
 */
export interface InvalidDetailsInput {
  /**
   * Accounts that may read every refused publish's details (operators).
   * @default []
   */
  readers?: string[];
  /**
   * Each account may read the details of its own refused publishes.
   * @default false
   */
  publisher?: boolean;
}

/** Schema validation of published events. */
export interface ValidationInput {
  /**
   * Validate each publish against its schema before fan-out.
   * @default true
   */
  enabled?: boolean;
  /**
   * Topics no schema declares: `allow` delivers and flags them in the catalogue, `reject` diverts them like
   * invalid events.
   * @default "allow"
   */
  undeclared?: 'allow' | 'reject';
  /**
   * Size cap of the payload excerpt in the detail records on `$firehose/invalid-detail/<service>/<account>`,
   * in bytes. The public record on `$firehose/invalid/<service>` never carries payload bytes.
   * @default 1024
   */
  invalidExcerptBytes?: number;
  /** Who may read the details of refused publishes. Nobody, by default. */
  details?: InvalidDetailsInput;
  /** Per-service switches, keyed by service name (`ansible: { enabled: false }`). */
  services?: Record<string, ServiceValidationInput>;
}

/** Limits that protect the broker; every one is configurable. */
export interface LimitsInput {
  /**
   * Largest MQTT packet accepted, in bytes, enforced from the fixed header before buffering.
   * @default 262144
   */
  maxPacketBytes?: number;
  /**
   * Longest topic accepted, in bytes.
   * @default 1024
   */
  maxTopicLength?: number;
  /**
   * Most levels in a topic or filter.
   * @default 32
   */
  maxTopicLevels?: number;
  /**
   * Most connections in total.
   * @default 10000
   */
  maxConnections?: number;
  /**
   * Most connections from one IP address.
   * @default 100
   */
  maxConnectionsPerIp?: number;
  /**
   * Most new connections per IP address per minute.
   * @default 120
   */
  connectionRatePerIp?: number;
  /**
   * Time a new connection has to send CONNECT, in milliseconds.
   * @default 10000
   */
  connectTimeoutMs?: number;
  /**
   * Smallest keepalive a client may ask for, in seconds (`0`, no keepalive, is allowed only when this is 0).
   * @default 0
   */
  keepaliveMin?: number;
  /**
   * Largest keepalive a client may ask for, in seconds.
   * @default 3600
   */
  keepaliveMax?: number;
  /**
   * Outbound bytes queued for one client above which QoS 0 messages to it are dropped.
   * @default 1048576
   */
  queueSoftBytes?: number;
  /**
   * Outbound bytes queued for one client above which it is disconnected.
   * @default 8388608
   */
  queueHardBytes?: number;
  /**
   * Seconds a disconnected persistent session is kept before it is removed.
   * @default 86400
   */
  sessionExpiry?: number;
  /**
   * Most messages queued for one offline persistent session; older ones are dropped.
   * @default 1000
   */
  maxOfflineMessages?: number;
  /**
   * Most persistent sessions created from one IP address.
   * @default 100
   */
  maxSessionsPerIp?: number;
  /**
   * Failed logins per IP address per minute; above it logins are refused without hashing.
   * @default 10
   */
  authFailuresPerMinute?: number;
  /**
   * Password verifications running at once (scrypt shares libuv's 4-thread pool with disk I/O).
   * @default 2
   */
  maxConcurrentAuth?: number;
  /**
   * Logins waiting for a verification slot; beyond it they are refused as busy.
   * @default 100
   */
  maxQueuedAuth?: number;
  /**
   * Unacknowledged QoS 1/2 messages in flight to one client.
   * @default 100
   */
  inflight?: number;
}

/** Which proxy-supplied client addresses to trust for per-IP limits. */
export interface TrustProxyInput {
  /**
   * Use the `X-Forwarded-For` header of WebSocket upgrades for per-IP limits (`trustProxy: true` sets this).
   * @default false
   */
  forwardedFor?: boolean;
  /**
   * Expect a PROXY protocol (v1/v2) header on every MQTT and MQTT-over-TLS connection (before the TLS
   * handshake).
   * @default false
   */
  proxyProtocol?: boolean;
}

/** Log verbosity. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The config file shape (docs/architecture.md#the-config-file): every key optional. */
export interface BrokerConfigInput {
  /**
   * Listeners to run. Without this section mqtt (1883), ws (8080, `/mqtt`) and http (9090) run;
   * with it, only the listeners it names run. mqtts and wss run only when configured.
   */
  listeners?: Partial<Record<ListenerName, ListenerEntry>>;
  /** What anonymous clients may do. */
  anonymous?: AnonymousInput;
  /**
   * Service accounts keyed by username.
   * @default {}
   */
  accounts?: Record<string, AccountInput>;
  /** Schema validation of published events. */
  validation?: ValidationInput;
  /**
   * Where sessions and retained messages live: `memory`, `level:DIR` (on disk, one node) or
   * `redis://HOST:PORT[/DB]` (shared; several brokers form a cluster) or
   * `redis-sentinel://HOST:PORT,HOST:PORT/MASTER[/DB]` (the same, following Sentinel failovers).
   * @default "memory"
   */
  persistence?: string;
  /** Redis persistence's durability. */
  redis?: {
    /**
     * With Redis persistence: how long a QoS 1 PUBACK waits, at most, for a replica to hold the message's
     * store writes (`WAIT 1`, once per event-loop turn for every PUBACK pending); `0` acknowledges without
     * waiting. A publish whose writes may have died with a failed-over primary gets no PUBACK: its connection
     * ends and the publisher resends it. With no replica connected, or none within the wait, the PUBACK goes
     * out anyway (`firehose_puback_unreplicated_total`).
     * @default (1000 with redis-sentinel://, else 0)
     */
    replicaWait?: number;
  };
  /** Limits that protect the broker. */
  limits?: LimitsInput;
  /**
   * Trust proxy-supplied client addresses for per-IP limits: `true` means `forwardedFor` only.
   * @default false
   */
  trustProxy?: boolean | TrustProxyInput;
  /** The services the broker knows (built-in and from files), and the live records of them on `$firehose/catalogue/...`. */
  catalogue?: {
    /**
     * Site catalogue files (YAML or JSON, `firehose-catalogue: 1`; relative to the config file) whose
     * services run beside the built-in ones; re-read on SIGHUP. From env: comma-separated; `--catalogue` is
     * repeatable and replaces the list.
     * @default []
     */
    files?: string[];
    /**
     * `false` runs only the catalogue files' services, without the built-in OpenStack ones (a site-only
     * broker).
     * @default true
     */
    builtin?: boolean;
    /**
     * Seconds between `$firehose/catalogue/...` publications; `0` turns the catalogue off.
     * @default 5
     */
    interval?: number;
  };
  /** Statistics on `$SYS/...`. */
  sys?: {
    /**
     * Seconds between `$SYS` publications; `0` turns them off.
     * @default 10
     */
    interval?: number;
  };
  /** The event archive behind `GET /v1/events` and `GET /v1/stream` (docs/architecture.md#history). */
  history?: HistoryInput;
  /** Logging. */
  log?: {
    /**
     * Log level of the logger the CLI creates.
     * @default "info"
     */
    level?: LogLevel;
  };
}

/** The `history:` section. */
export interface HistoryInput {
  /**
   * Archive accepted events and serve them over HTTP. Off by default: it writes to disk, and the operator
   * picks where. With Redis persistence (a cluster) the log is one Redis Stream shared by the nodes, and
   * every node must have history on (docs/architecture.md#cluster-history).
   * @default false
   */
  enabled?: boolean;
  /**
   * The SQLite archive file, relative to the config file (WAL files beside it).
   * @default "./firehose-history.sqlite"
   */
  path?: string;
  retention?: {
    /**
     * Seconds an event is kept (default 30 days); older events are dropped in whole chunks.
     * @default 2592000
     */
    maxAge?: number;
    /**
     * Largest archive in bytes, the oldest chunks dropped past it; `0` for no limit.
     * @default 0
     */
    maxBytes?: number;
  };
  /**
   * Events waiting to be written (with Redis: XADDs waiting for an answer), at most; past it new events are
   * delivered but not archived (counted as `history_overflow`).
   * @default 100000
   */
  queue?: number;
  /**
   * Open `GET /v1/stream` connections per client address, at most; past it a 429 with Retry-After.
   * @default 8
   */
  streamsPerIp?: number;
  /**
   * With Redis persistence: the deep archive, a PostgreSQL database every node feeds from the history stream
   * in batches, answering reads older than the stream's trim (monthly partitions, kept for
   * `history.retention.maxAge`); without it, cluster history reaches back as far as the stream.
   */
  postgres?: string;
  /** The cluster-wide log, with Redis persistence. */
  stream?: {
    /**
     * With Redis persistence: entries the cluster-wide history stream keeps, about (`XADD … MAXLEN ~`); older
     * ones are trimmed.
     * @default 1000000
     */
    maxLen?: number;
  };
}

/** One running listener, normalized. */
export interface ListenerConfig {
  host: string;
  port: number;
  payload: ListenerPayload;
  /** WebSocket path (`ws`, `wss`). */
  path?: string;
  /** PEM path or PEM text (`mqtts`, `wss`). */
  cert?: string;
  key?: string;
  ca?: string;
}

/** A service account, normalized. */
export interface Account {
  readonly name: string;
  /** scrypt hashes; any one of them is accepted (rotation). */
  readonly passwords: readonly string[];
  readonly write: readonly string[];
  readonly read: readonly string[];
  /** Reserved client-id patterns: exact ids, or prefixes ending in `*`. */
  readonly clientIds: readonly string[];
  /** `data`: the broker wraps the account's raw JSON in envelopes (see `AccountInput.payload`). */
  readonly payload: AccountPayload;
}

/** Persistence backend, parsed. */
export type PersistenceConfig =
  | { kind: 'memory' }
  | { kind: 'level'; path: string }
  | ({
      kind: 'redis';
      url: string;
      db: number;
      username?: string;
      password?: string;
      tls: boolean;
    } & RedisAddress);

/** Where the redis primary is: one address, or the sentinels that know it by name (failover). */
export type RedisAddress =
  | { host: string; port: number; sentinels?: undefined }
  | { sentinels: RedisEndpoint[]; /** The master name the sentinels monitor. */ name: string };

export interface RedisEndpoint {
  host: string;
  port: number;
}

/** Every limit with its default filled in; see `LimitsInput` for meanings. */
export type BrokerLimits = Required<LimitsInput>;

/** The effective configuration the broker runs on. */
export interface BrokerConfig {
  listeners: Record<ListenerName, ListenerConfig[]>;
  anonymous: { read: string[]; write: string[]; deny: string[] };
  accounts: Record<string, Account>;
  validation: {
    enabled: boolean;
    undeclared: 'allow' | 'reject';
    invalidExcerptBytes: number;
    details: { readers: string[]; publisher: boolean };
    services: Record<string, { enabled: boolean }>;
  };
  persistence: PersistenceConfig;
  /** `replicaWait` in milliseconds, 0 when off (always 0 without Redis persistence). */
  redis: { replicaWait: number };
  limits: BrokerLimits;
  trustProxy: { forwardedFor: boolean; proxyProtocol: boolean };
  catalogue: { files: string[]; builtin: boolean; interval: number };
  sys: { interval: number };
  history: {
    enabled: boolean;
    path: string;
    retention: { maxAge: number; maxBytes: number };
    queue: number;
    streamsPerIp: number;
    stream: { maxLen: number };
    /** The deep archive's URL (with Redis persistence). */
    postgres: string | undefined;
  };
  log: { level: LogLevel };
}
