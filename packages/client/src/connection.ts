import { FirehoseError } from '@firehose/protocol';
import mqtt, { type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import { backoffDelay } from './backoff.js';
import type { BrokerAddress } from './broker-url.js';
import type { ResolvedOptions } from './options.js';

/** What the client learns from its connection. */
export interface ConnectionHooks {
  /** A (re)connection completed; `sessionPresent` tells whether the broker kept the session. */
  onConnect(client: MqttClient, connack: IConnackPacket, reconnect: boolean): void;
  /** The connection dropped; a reconnect is scheduled. */
  onDisconnect(): void;
  /** A reconnect attempt is scheduled: its number (1-based), its delay and the URL it will try. */
  onRetry(retry: RetryInfo): void;
  onMessage(topic: string, payload: Uint8Array): void;
  onError(error: Error): void;
}

/** One scheduled reconnect attempt, as the `retry` event reports it. */
export interface RetryInfo {
  /** 1 for the first attempt after a drop, counting up until a connection is made. */
  readonly attempt: number;
  /** Milliseconds until this attempt. */
  readonly delay: number;
  /** The broker URL this attempt will try. */
  readonly url: string;
}

/** MQTT 3.1.1 CONNACK codes 4 (bad user name or password) and 5 (not authorized) [MQTT-3.2.2.3]. */
const REFUSED_AUTH = new Set([4, 5, 134, 135]);

function reasonCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Maps an MQTT.js connection error to a FirehoseError a caller can act on. */
function connectionError(error: unknown, address: BrokerAddress): FirehoseError {
  const code = reasonCode(error);
  if (code !== undefined && REFUSED_AUTH.has(code)) {
    return new FirehoseError(
      'NOT_AUTHORIZED',
      `The broker at ${address.url} refused the credentials; check username and password.`,
      { cause: error },
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  const tlsCode = (error as { code?: unknown } | null)?.code;
  if (typeof tlsCode === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(tlsCode)) {
    return new FirehoseError(
      'CONNECTION_FAILED',
      `The TLS certificate of ${address.url} is not trusted (${detail}); pass the broker's CA certificate as tls.ca.`,
      { cause: error },
    );
  }
  // Something answered at that address but did not speak MQTT there: most often a path is missing.
  const unreachable =
    typeof tlsCode === 'string' && /^E(CONNREFUSED|NOTFOUND|HOSTUNREACH|TIMEDOUT|AI_AGAIN)/.test(tlsCode);
  const withPath = unreachable ? undefined : pathHint(address.url);
  if (withPath !== undefined) {
    return new FirehoseError(
      'CONNECTION_FAILED',
      `Could not connect to ${address.url} (${detail}); MQTT over WebSocket is served on a path: try ${withPath} (the firehose broker's default).`,
      { cause: error },
    );
  }
  return new FirehoseError(
    'CONNECTION_FAILED',
    `Could not connect to ${address.url} (${detail}); check the URL and that the broker is running.`,
    { cause: error },
  );
}

/** `ws://host:8080/mqtt` for a ws(s) URL without a path, the usual mistake; otherwise undefined. */
function pathHint(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if ((parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') || parsed.pathname !== '/')
      return undefined;
    parsed.pathname = '/mqtt';
    return parsed.toString();
  } catch {
    return undefined;
  }
}

/** MQTT.js options for one address: reconnects and resubscription are ours, not MQTT.js's. */
function mqttOptions(address: BrokerAddress, options: ResolvedOptions): IClientOptions {
  const result: IClientOptions = {
    protocol: address.protocol,
    protocolVersion: 4,
    hostname: address.hostname,
    host: address.hostname,
    port: address.port,
    username: options.username ?? address.username,
    password: options.password ?? address.password,
    clean: options.clean,
    keepalive: options.keepalive,
    connectTimeout: options.connectTimeout,
    // MQTT.js retries on a fixed period; we want exponential backoff with jitter and URL failover.
    reconnectPeriod: 0,
    // We restore subscriptions ourselves, also when the broker lost a persistent session.
    resubscribe: false,
    // A QoS 0 publish is either written now or rejected; nothing lingers inside MQTT.js.
    queueQoSZero: false,
    // Listeners go on before the first CONNACK (see openConnection).
    manualConnect: true,
  };
  if (options.clientId !== undefined) result.clientId = options.clientId;
  if (address.path !== undefined) result.path = address.path;
  const tls = options.tls;
  if (tls) {
    if (tls.ca !== undefined) result.ca = tls.ca as IClientOptions['ca'];
    if (tls.cert !== undefined) result.cert = tls.cert as IClientOptions['cert'];
    if (tls.key !== undefined) result.key = tls.key as IClientOptions['key'];
    if (tls.rejectUnauthorized !== undefined) result.rejectUnauthorized = tls.rejectUnauthorized;
  }
  return result;
}

/** Points an existing MQTT.js client at another address; its stream builder reads these per connect. */
function retarget(client: MqttClient, address: BrokerAddress, options: ResolvedOptions): void {
  const next = mqttOptions(address, options);
  const target = client.options;
  target.protocol = next.protocol;
  target.hostname = next.hostname;
  target.host = next.host;
  target.port = next.port;
  target.username = next.username;
  target.password = next.password;
  if (next.path === undefined) delete target.path;
  else target.path = next.path;
}

/**
 * One MQTT.js client across the life of a FirehoseClient: the first connection tries each URL in
 * turn; after a drop it reconnects with backoff, moving to the next URL after each failed attempt.
 * Keeping one MqttClient (rather than a new one per connection) keeps its outgoing store, so QoS 1
 * publishes in flight at the drop are resent on reconnect [MQTT-4.4.0-1].
 */
export class Connection {
  private attempt = 0;
  private index: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closing = false;

  private constructor(
    readonly client: MqttClient,
    private readonly addresses: readonly BrokerAddress[],
    startIndex: number,
    private readonly options: ResolvedOptions,
    private readonly hooks: ConnectionHooks,
  ) {
    this.index = startIndex;
    client.on('connect', (connack) => {
      this.attempt = 0;
      hooks.onConnect(client, connack, true);
    });
    client.on('close', () => this.onClose());
    client.on('error', (error) => {
      options.logger.debug({ err: error, url: this.address.url }, 'firehose client connection error');
      if (REFUSED_AUTH.has(reasonCode(error) ?? -1)) hooks.onError(connectionError(error, this.address));
    });
  }

  get address(): BrokerAddress {
    // `index` always stays within the non-empty address list.
    return this.addresses[this.index]!;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Connects to the first address that accepts; rejects after trying each once. */
  static async open(
    addresses: readonly BrokerAddress[],
    options: ResolvedOptions,
    hooks: ConnectionHooks,
  ): Promise<Connection> {
    let lastError: FirehoseError | undefined;
    for (const [index, address] of addresses.entries()) {
      try {
        const { client, connack } = await openClient(address, options, hooks);
        const connection = new Connection(client, addresses, index, options, hooks);
        hooks.onConnect(client, connack, false);
        return connection;
      } catch (error) {
        lastError = connectionError(error, address);
        options.logger.warn({ url: address.url, err: lastError }, 'firehose client could not connect');
        // Every URL gets the same credentials, so a refusal will not change with the next one.
        if (lastError.code === 'NOT_AUTHORIZED') throw lastError;
      }
    }
    if (addresses.length === 1 && lastError) throw lastError;
    throw new FirehoseError(
      'CONNECTION_FAILED',
      `Could not connect to any of ${addresses.map((a) => a.url).join(', ')}; check the URLs and that a broker is running.`,
      { cause: lastError },
    );
  }

  private onClose(): void {
    if (this.closing) return;
    this.hooks.onDisconnect();
    this.schedule();
  }

  private schedule(): void {
    if (this.closing || this.timer !== undefined) return;
    const delay = backoffDelay(this.attempt, this.options.backoff);
    // After the first failed attempt at this address, fail over to the next one.
    if (this.attempt > 0) this.index = (this.index + 1) % this.addresses.length;
    this.attempt++;
    this.options.logger.debug(
      { delay, url: this.address.url, attempt: this.attempt },
      'firehose client reconnecting',
    );
    this.hooks.onRetry({ attempt: this.attempt, delay, url: this.address.url });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closing) return;
      retarget(this.client, this.address, this.options);
      // Pass the stores explicitly: without them MQTT.js's reconnect() starts empty ones and would
      // forget the QoS 1 publishes still waiting for PUBACK.
      this.client.reconnect({
        incomingStore: this.client.incomingStore,
        outgoingStore: this.client.outgoingStore,
      });
    }, delay);
  }

  /** Stops reconnecting and ends the MQTT connection (DISCONNECT when connected). */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const force = !this.client.connected;
    await new Promise<void>((resolve) => {
      // end() waits for MQTT.js's own outgoing queue; bound it so close() always finishes.
      const guard = setTimeout(() => {
        this.client.end(true, () => resolve());
      }, 1000);
      this.client.end(force, () => {
        clearTimeout(guard);
        resolve();
      });
    });
  }
}

/**
 * `mqtt.connectAsync`, but with our listeners attached before the connection starts. connectAsync
 * hands over the client only after CONNACK; a persistent session's queued messages can be parsed
 * and acknowledged in between, and would be lost to a listener attached later.
 */
function openClient(
  address: BrokerAddress,
  options: ResolvedOptions,
  hooks: ConnectionHooks,
): Promise<{ client: MqttClient; connack: IConnackPacket }> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(mqttOptions(address, options));
    client.on('message', (topic, payload) => hooks.onMessage(topic, payload));
    const cleanup = (): void => {
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
    };
    const fail = (error: Error): void => {
      cleanup();
      client.removeAllListeners('message');
      client.on('error', () => {});
      client.end(true);
      reject(error);
    };
    const onConnect = (connack: IConnackPacket): void => {
      cleanup();
      resolve({ client, connack });
    };
    const onError = (error: Error): void => fail(error);
    const onClose = (): void => fail(new Error('the connection closed before CONNACK'));
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
    client.connect();
  });
}
