import { FirehoseError } from '@firehose/protocol';
import type { Catalogue, ServiceDefinition } from '@firehose/schema';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { silentLogger, type Logger } from './logger.js';
import { siteCatalogue } from './site-catalogue.js';

/** TLS material for `mqtts://` and `wss://` (Node only; browsers use the system's trust store). */
export interface TlsOptions {
  /**
   * CA certificate(s) (PEM) to trust, e.g. a private CA for a self-signed broker.
   * @default the system's trust store
   */
  ca?: string | Uint8Array | (string | Uint8Array)[];
  /**
   * Client certificate (PEM) for mutual TLS.
   * @default undefined
   */
  cert?: string | Uint8Array;
  /**
   * Client private key (PEM) for mutual TLS.
   * @default undefined
   */
  key?: string | Uint8Array;
  /**
   * Verify the broker's certificate. Only turn off for local experiments.
   * @default true
   */
  rejectUnauthorized?: boolean;
}

export interface ConnectOptions {
  /**
   * Username of a service account. Credentials in the URL (`mqtt://user:pw@host`) are used when this is unset.
   * @default undefined (anonymous, read-only on a firehose broker)
   */
  username?: string;
  /**
   * Password of the service account.
   * @default undefined
   */
  password?: string;
  /**
   * MQTT client id. Required for a persistent session (`clean: false`), and must be unique per consumer.
   * @default a random id
   */
  clientId?: string;
  /**
   * `true`: a fresh session on every connect. `false`: the broker keeps subscriptions and queues QoS 1
   * messages while the client is away [MQTT-3.1.2-4]; needs `clientId`.
   * @default true
   */
  clean?: boolean;
  /**
   * Keepalive in seconds; the broker drops the client after 1.5× without traffic [MQTT-3.1.2-24].
   * @default 30
   */
  keepalive?: number;
  /**
   * Milliseconds to wait for CONNACK on each attempt.
   * @default 10000
   */
  connectTimeout?: number;
  /**
   * Reconnect delays: exponential with full jitter, capped. Reconnects try the URLs in turn.
   * @default { initialDelay: 250, maxDelay: 30000, factor: 2 }
   */
  backoff?: BackoffOptions;
  /**
   * Validate received events against their schema; invalid ones go to the `invalid` event only.
   * The envelope is always checked.
   * @default true
   */
  validate?: boolean;
  /**
   * Drop an event whose `source` + `id` was seen among the last N events: at-least-once redelivery
   * after a reconnect, a publisher's retry, overlapping subscriptions. `true` keeps the last 10,000;
   * a number sets N. Off by default because it costs ~10 % of receive throughput (see the README).
   * @default false
   */
  dedupe?: boolean | number;
  /**
   * Milliseconds before a publish rejects with `TIMEOUT`; the message is then withdrawn, never sent later.
   * @default 10000
   */
  publishTimeout?: number;
  /**
   * Publishes that may wait for a connection; one more rejects with `QUEUE_FULL`.
   * @default 1000
   */
  offlineQueueSize?: number;
  /**
   * Milliseconds `close()` waits for in-flight QoS 1/2 publishes before giving up on them.
   * @default 5000
   */
  closeTimeout?: number;
  /**
   * Default envelope `source` for `publish()`.
   * @default the service's default upstream URI from the schema catalogue
   */
  source?: string;
  /**
   * TLS settings for `mqtts://` and `wss://` URLs.
   * @default undefined
   */
  tls?: TlsOptions;
  /**
   * The broker's HTTP listener (the one serving `/metrics`), where `history()` and `search()` read the
   * archive: `http://broker.example:9090`. Credentials are the client's own (`username`/`password`).
   * @default derived from the first broker URL: `ws(s)://host/path` without a port gives the same
   * origin `http(s)://host` (a reverse proxy routing `/v1/`); anything else `http://host:9090`
   * (`https://` for `mqtts://`/`wss://`)
   */
  historyUrl?: string;
  /**
   * A site's own services, beside the built-in ones: received events on their topics are
   * validated and typed (`eventType`, `params`), `publish()` builds their envelopes (with the
   * service's `source`), `history()` decodes them. Pass the `services` of the module
   * `firehose schema codegen` writes, or `loadCatalogueFiles(...)` from `@firehose/schema/files`.
   * @default [] (the built-in services only)
   */
  services?: readonly ServiceDefinition[];
  /**
   * pino-compatible logger.
   * @default a logger that discards everything
   */
  logger?: Logger;
}

export interface ResolvedOptions {
  username: string | undefined;
  password: string | undefined;
  clientId: string | undefined;
  clean: boolean;
  keepalive: number;
  connectTimeout: number;
  backoff: Required<BackoffOptions>;
  validate: boolean;
  dedupe: number | false;
  publishTimeout: number;
  offlineQueueSize: number;
  closeTimeout: number;
  source: string | undefined;
  tls: TlsOptions | undefined;
  historyUrl: string | undefined;
  services: readonly ServiceDefinition[];
  catalogue: Catalogue;
  logger: Logger;
}

function check(condition: boolean, key: string, expectation: string, value: unknown): void {
  if (!condition) {
    throw new FirehoseError(
      'INVALID_CONFIG',
      `Option ${key} must be ${expectation}, got ${JSON.stringify(value)}.`,
      { path: key },
    );
  }
}

const positive = (value: number): boolean => Number.isFinite(value) && value > 0;

/** Applies defaults and rejects nonsense early, with the option's name. */
export function resolveOptions(options: ConnectOptions = {}): ResolvedOptions {
  const resolved: ResolvedOptions = {
    username: options.username,
    password: options.password,
    clientId: options.clientId,
    clean: options.clean ?? true,
    keepalive: options.keepalive ?? 30,
    connectTimeout: options.connectTimeout ?? 10_000,
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    validate: options.validate ?? true,
    dedupe: options.dedupe === true ? 10_000 : (options.dedupe ?? false),
    publishTimeout: options.publishTimeout ?? 10_000,
    offlineQueueSize: options.offlineQueueSize ?? 1000,
    closeTimeout: options.closeTimeout ?? 5000,
    source: options.source,
    tls: options.tls,
    historyUrl: options.historyUrl,
    services: options.services ?? [],
    catalogue: siteCatalogue(options.services),
    logger: options.logger ?? silentLogger,
  };
  check(
    Number.isInteger(resolved.keepalive) && resolved.keepalive >= 0 && resolved.keepalive <= 65_535,
    'keepalive',
    'an integer from 0 to 65535 seconds',
    resolved.keepalive,
  );
  check(
    positive(resolved.connectTimeout),
    'connectTimeout',
    'a positive number of milliseconds',
    resolved.connectTimeout,
  );
  check(
    positive(resolved.publishTimeout),
    'publishTimeout',
    'a positive number of milliseconds',
    resolved.publishTimeout,
  );
  check(
    Number.isFinite(resolved.closeTimeout) && resolved.closeTimeout >= 0,
    'closeTimeout',
    'a non-negative number of milliseconds',
    resolved.closeTimeout,
  );
  check(
    Number.isInteger(resolved.offlineQueueSize) && resolved.offlineQueueSize >= 0,
    'offlineQueueSize',
    'a non-negative integer',
    resolved.offlineQueueSize,
  );
  check(
    resolved.dedupe === false || (Number.isInteger(resolved.dedupe) && resolved.dedupe > 0),
    'dedupe',
    'false or a positive integer',
    resolved.dedupe,
  );
  check(
    positive(resolved.backoff.initialDelay),
    'backoff.initialDelay',
    'a positive number of milliseconds',
    resolved.backoff.initialDelay,
  );
  check(
    resolved.backoff.maxDelay >= resolved.backoff.initialDelay,
    'backoff.maxDelay',
    'at least backoff.initialDelay',
    resolved.backoff.maxDelay,
  );
  check(resolved.backoff.factor >= 1, 'backoff.factor', 'at least 1', resolved.backoff.factor);
  if (!resolved.clean && (resolved.clientId === undefined || resolved.clientId === '')) {
    // [MQTT-3.1.3-7]: a persistent session is found again by its client id.
    throw new FirehoseError(
      'INVALID_CONFIG',
      'A persistent session (clean: false) needs a clientId; pass a stable, unique clientId.',
      { path: 'clientId' },
    );
  }
  return resolved;
}
