import type { IncomingMessage, ServerResponse } from 'node:http';
import { EventEmitter } from 'node:events';
import {
  catalogue as defaultCatalogue,
  services as builtinServices,
  type Catalogue as EventCatalogue,
  type ServiceDefinition,
} from '@firehose/schema';
import { describeServices, SERVICES_TOPIC } from '@firehose/schema/site';
import { createRequire } from 'node:module';
import type { Aedes, SharedGroupStats } from '@firehose/aedes';
import { AccessControl } from './access.js';
import { watchAedes } from './aedes-events.js';
import { assertAedesFixes } from './aedes-guard.js';
import { AedesHookAdapter } from './aedes-hooks.js';
import { createAedes, publishOwnMessage } from './aedes-instance.js';
import type { BrokerEvents } from './broker-events.js';
import { catalogueTopic, LiveCatalogue } from './live-catalogue.js';
import { configChanges, type ConfigChanges } from './config/config-changes.js';
import { printConfig } from './config/print-config.js';
import { ConnectionAdmission } from './connection-admission.js';
import {
  FirehoseConnection,
  type ConnectionEvents,
  type ConnectionInfo,
  type ConnectionLimits,
  type OutboundSink,
} from './connection/connection.js';
import type { ListenerHost, RunningListener } from './listeners/listener.js';
import { listenerUrl } from './listeners/listener-url.js';
import { startListeners } from './listeners/start-listeners.js';
import { silentLogger, type Logger } from './logger.js';
import { resolveConfig } from './config/resolve-config.js';
import type { BrokerConfig, BrokerConfigInput, BrokerLimits, ListenerName } from './config/types.js';
import { History } from './history/history.js';
import { createMetrics } from './metrics.js';
import { createPersistence, type AedesPersistence, type PersistenceBackend } from './persistence.js';
import { newNodeId } from './node-id.js';
import { EventInspector } from './publish-inspector.js';
import { createIntake } from './ingest/intake.js';
import { detailsWanted } from './invalid-records.js';
import { OfflineCap } from './offline-cap.js';
import { Reporter } from './reporter.js';
import { SessionTracker, watchSessions } from './sessions.js';
import { loadEventCatalogue } from './site-services.js';
import { RedisSharedGroups } from './shared-cluster.js';
import { BrokerStats, type RefusalReason } from './stats.js';

export type { BrokerEvents } from './broker-events.js';

export interface CreateBrokerOptions {
  /** pino-compatible logger. @default silent */
  logger?: Logger;
  /**
   * How often this node announces itself to a cluster, in ms. A node silent for 3 intervals is
   * considered dead and the others publish its clients' wills (checked every 4 intervals).
   * @default 60000
   */
  heartbeatIntervalMs?: number;
  /**
   * Site services to run beside the built-in ones and those of `catalogue.files` (hand-built, or
   * from `loadCatalogueFiles`); the ones that declare `ingest` take webhooks on the http listener
   * at `/v1/ingest/<service>`. They stay through catalogue reloads.
   * @default [] (the built-in catalogue and the config's catalogue files only)
   */
  services?: readonly ServiceDefinition[];
  /** Where the intake's secrets are read (`ingest.secretEnv`). @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** @internal The catalogue a broker checks publishes against, and where its intake's secrets are. */
interface SiteOptions {
  events: EventCatalogue;
  /** The services a program passed to createBroker: part of every reloaded catalogue. */
  given: readonly ServiceDefinition[];
  env: NodeJS.ProcessEnv;
}

/** What a catalogue reload changed, by CloudEvents type. */
export interface CatalogueReload {
  /** Every service now running. */
  services: string[];
  /** Event types (any major) declared now and not before. */
  added: string[];
  /** Event types no longer declared (their catalogue records are cleared). */
  removed: string[];
}

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** The firehose broker: aedes plus listeners, ACLs, validation, limits and statistics. */
export class FirehoseBroker extends EventEmitter<BrokerEvents> {
  readonly stats = new BrokerStats();
  /** What the broker observed per declared event type and undeclared topic (`$firehose/catalogue/…`). */
  readonly catalogue: LiveCatalogue;
  #config: BrokerConfig;
  readonly #logger: Logger;
  readonly #access: AccessControl;
  readonly #hooks: AedesHookAdapter;
  readonly #aedes: Aedes;
  readonly #connections = new Set<FirehoseConnection>();
  readonly #admission = new ConnectionAdmission();
  readonly #diverted = new WeakSet<object>();
  #listeners: RunningListener[] = [];
  readonly #reporter: Reporter;
  readonly #backend: PersistenceBackend;
  readonly #sessions = new SessionTracker();
  /** Cluster-wide `$share` groups (redis only). */
  readonly #sharedGroups: RedisSharedGroups | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  #offlineCap: OfflineCap | undefined;
  #state: 'new' | 'listening' | 'closing' | 'closed' = 'new';
  readonly #history: History;
  /** Aborted by close(): ends a listen() still waiting for redis. */
  readonly #closing = new AbortController();
  /** Whether aedes' persistence was set up (listen() got past waiting for redis). */
  #started = false;
  /** A listen() in progress or done. */
  #starting: Promise<void> | undefined;
  /** Every declared service, built-in and site: what publishes are checked against. */
  #events: EventCatalogue;
  readonly #given: readonly ServiceDefinition[];
  /** The catalogue reload in progress: reloads run one after another, the last one wins. */
  #catalogueReload: Promise<unknown> = Promise.resolve();
  readonly #env: NodeJS.ProcessEnv;
  readonly #inspector: EventInspector;

  /** @internal use `createBroker`. */
  constructor(
    config: BrokerConfig,
    logger: Logger,
    backend: PersistenceBackend,
    heartbeatIntervalMs = 60_000,
    site: SiteOptions = { events: defaultCatalogue, given: [], env: process.env },
  ) {
    super();
    this.#events = site.events;
    this.#given = site.given;
    this.catalogue = new LiveCatalogue(site.events.eventTypes);
    this.#env = site.env;
    this.#backend = backend;
    this.#config = config;
    this.#logger = logger;
    const inspector = new EventInspector(
      () => this.#config,
      this.stats,
      this.catalogue,
      logger,
      ({ service, record, detail, detailTopic }) => {
        // Anyone who reads $firehose/# reads the record: it carries no payload bytes. The detail
        // (excerpt) goes where only validation.details' accounts may read (auth/acl.ts).
        this.#publishInternal(`$firehose/invalid/${service}`, JSON.stringify(record), true);
        if (detailsWanted(this.#config)) this.#publishInternal(detailTopic, JSON.stringify(detail), true);
        this.emit('invalid', detail);
      },
      () => this.#events,
    );
    this.#inspector = inspector;
    this.#access = new AccessControl(config, logger, () => this.stats.scryptRuns++);
    this.#hooks = new AedesHookAdapter({
      config: () => this.#config,
      access: this.#access,
      stats: this.stats,
      logger,
      inspector,
      diverted: this.#diverted,
      sessions: this.#sessions,
      ...(backend.replicaWait
        ? { publishArrived: backend.replicaWait.arrived.bind(backend.replicaWait) }
        : {}),
    });
    const id = newNodeId();
    this.#sharedGroups = backend.sharedRedis
      ? new RedisSharedGroups(backend.sharedRedis, id, heartbeatIntervalMs, (error) =>
          this.#internalError(error),
        )
      : undefined;
    this.#history = new History(config, {
      logger,
      access: () => this.#access,
      events: () => this.#events,
      onOverflow: (count = 1) => this.stats.drop('history_overflow', count),
      nodeId: id,
      redis: backend.historyRedis,
    });
    this.#aedes = createAedes({
      id,
      beforeDeliver: this.#history.accept,
      hooks: this.#hooks,
      backend,
      limits: config.limits,
      heartbeatIntervalMs,
      diverted: this.#diverted,
      sharedGroups: this.#sharedGroups,
    });
    this.#reporter = new Reporter(
      this.#aedes,
      () => this.#config,
      this.stats,
      this.catalogue,
      VERSION,
      (topic, payload, retain) => this.#publishInternal(topic, payload, retain),
    );
    this.#wireEvents();
  }

  #wireEvents(): void {
    watchAedes(this.#aedes, {
      stats: this.stats,
      logger: this.#logger,
      hooks: this.#hooks,
      events: this,
      offlineCap: () => this.#offlineCap,
      internalError: (error) => this.#internalError(error),
    });
    this.#backend.link?.on('down', (err) => {
      // Before listen() completes nothing is bound yet: aedes waits for its store to be ready.
      const effect =
        this.#state === 'listening' ? 'not ready meanwhile' : 'listeners open once it is reachable';
      const what = this.#backend.describeOutage?.(err) ?? 'redis unreachable; retrying';
      this.#logger.warn({ err }, `${what} (${effect})`);
    });
    this.#backend.link?.on('up', () => this.#logger.info('redis reachable again'));
    const replicaWait = this.#backend.replicaWait;
    replicaWait?.on('unreplicated', (count) => (this.stats.pubacksUnreplicated += count));
    replicaWait?.on('refused', (count, err) => {
      this.stats.drop('replica_unconfirmed', count);
      this.#logger.warn(
        { err, count },
        'QoS 1 publishes not acknowledged: their store writes may have died with the Redis primary; their publishers resend them',
      );
    });
    replicaWait?.on('replicated', (yes) => {
      if (yes) this.#logger.info('a Redis replica confirms the store writes again before each QoS 1 PUBACK');
      else
        this.#logger.warn(
          'no Redis replica confirmed the store writes (none connected, or none within redis.replicaWait): QoS 1 PUBACKs go out with the writes on the primary only',
        );
    });
    // A QoS 1 message another node published while this node's emitter was resubscribing (after a
    // Sentinel failover, the others may publish on the new primary first) reached no connected
    // persistent session here live, though it was stored for them and its publisher was
    // acknowledged: each gets its stored queue again (duplicates of the ones in flight, never a gap).
    this.#backend.resubscription?.on('renewed', () => {
      if (this.#state !== 'listening') return;
      this.#aedes.resendStoredQueues().then(
        (sessions) =>
          this.#logger.info(
            { sessions },
            'redis subscriptions renewed; resent connected persistent sessions their stored queue',
          ),
        (error: unknown) => this.#internalError(error),
      );
    });
  }

  /** The broker node's id (aedes' id): names its per-node `$SYS` and catalogue records. */
  get nodeId(): string {
    return this.#aedes.id;
  }

  /** Publishes a broker-owned message ($SYS, $firehose). */
  #publishInternal(topic: string, payload: string, retain: boolean): void {
    if (this.#state !== 'listening') return;
    publishOwnMessage(this.#aedes, topic, payload, retain, (error) => this.#internalError(error));
  }

  /** Publishes changed catalogue records now (all of them when `all`), besides the interval. */
  publishCatalogue(all = false): void {
    this.#reporter.publishCatalogue(all);
  }

  /**
   * Publishes the site's services (every service but the built-in ones) as one catalogue document
   * (`describeServices`, without the intake) on `$firehose/services`, retained: the CLI and the
   * dashboard read it to route, validate and render those services' events without a rebuild. Sent
   * on listen (an empty `services` map when the site declares none, so a reader never waits for
   * it) and again after a catalogue reload. The nodes of a cluster run the same catalogue; the last
   * one to publish it wins.
   */
  publishServices(): void {
    const site = this.#events.services.filter((service) => !builtinServices.includes(service));
    this.#publishInternal(SERVICES_TOPIC, JSON.stringify(describeServices(site)), true);
  }

  /** Publishes one round of `$SYS` statistics now, besides the interval. */
  publishSys(): void {
    this.#reporter.publishSys();
  }

  #internalError(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    // While redis is down a failed store command is the outage already reported, not a broker fault.
    if (this.#backend.link?.up === false)
      this.#logger.warn({ err: err.message }, 'redis unreachable: a store command failed');
    else this.#logger.error({ err }, 'broker internal error');
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  #refuse(reason: RefusalReason, details: { ip?: string; clientId?: string; topic?: string } = {}): void {
    this.stats.drop(reason);
    this.emit('refused', { reason, ...details });
  }

  // One limits object, one events object and one close listener for all connections: per
  // connection they were five closures and two objects on every idle one.
  #limitsFor: BrokerLimits | undefined;
  #connLimits: ConnectionLimits | undefined;

  #connectionLimits(): ConnectionLimits {
    const limits = this.#config.limits;
    if (this.#limitsFor !== limits || this.#connLimits === undefined) {
      this.#limitsFor = limits;
      this.#connLimits = {
        maxPacketBytes: limits.maxPacketBytes,
        maxConnectBytes: limits.maxPacketBytes,
        queueSoftBytes: limits.queueSoftBytes,
        queueHardBytes: limits.queueHardBytes,
      };
    }
    return this.#connLimits;
  }

  readonly #connectionEvents: ConnectionEvents = {
    onDrop: (conn, reason) => this.#refuse(reason, { ip: conn.info.ip }),
    onBytesIn: (bytes) => {
      this.stats.bytesReceived += bytes;
    },
    onBytesOut: (bytes, publishes) => {
      const stats = this.stats;
      stats.bytesSent += bytes;
      stats.messagesSent += publishes;
    },
  };

  readonly #connectionClosed = (() => {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the listener's `this` is the connection
    const broker = this;
    return function (this: FirehoseConnection): void {
      broker.#connections.delete(this);
      broker.#admission.release(this.info.ip);
    };
  })();

  /** Admits a transport, enforcing connection limits, and hands it to aedes. */
  #accept(info: ConnectionInfo, sink: OutboundSink): FirehoseConnection | undefined {
    const limits = this.#config.limits;
    if (this.#state !== 'listening') return undefined;
    const refused = this.#admission.admit(info.ip, limits);
    if (refused !== undefined) {
      this.#refuse(refused, { ip: info.ip });
      return undefined;
    }
    const conn = new FirehoseConnection(sink, info, this.#connectionLimits(), this.#connectionEvents);
    this.#connections.add(conn);
    this.stats.connectionsTotal++;
    // on(), not once(): 'close' comes once, and once() wraps each listener in a bound function.
    conn.on('close', this.#connectionClosed);
    this.#aedes.handle(conn);
    return conn;
  }

  #persistence(): AedesPersistence | undefined {
    return this.#aedes.persistence;
  }

  /** Session expiry: learn connects/disconnects cluster-wide, sweep abandoned persistent sessions. */
  #trackSessions(): void {
    this.#sweeper = watchSessions({
      aedes: this.#aedes,
      tracker: this.#sessions,
      clock: this.#backend.sessionClock,
      persistence: () => this.#persistence(),
      expirySeconds: this.#config.limits.sessionExpiry,
      onExpired: (clientId) => {
        this.#offlineCap?.forget(clientId);
        this.stats.drop('sessions_expired');
        this.#logger.info({ clientId }, 'persistent session expired');
      },
      onError: (error) => this.#internalError(error),
    });
  }

  /**
   * Starts persistence and every configured listener. With redis it first waits, as long as it
   * takes, for redis to answer; close() meanwhile makes it reject.
   */
  async listen(): Promise<void> {
    if (this.#state !== 'new' || this.#starting) {
      throw new Error('listen() can be called once, on a broker that is not closed.');
    }
    this.#starting = this.#start();
    try {
      await this.#starting;
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async #start(): Promise<void> {
    await this.#backend.link?.connected(this.#closing.signal);
    await this.#aedes.listen();
    this.#started = true;
    this.#sharedGroups?.start((key, packet) => this.#aedes.sharedRedeliver(key, packet));
    const persistence = this.#persistence();
    if (this.#config.persistence.kind !== 'redis' && persistence) {
      const clients = this.#aedes.clients;
      this.#offlineCap = new OfflineCap(
        this.#config.limits.maxOfflineMessages,
        () => this.stats.drop('offline_cap'),
        (clientId) => clients[clientId]?.connected === true,
      );
      this.#offlineCap.install(persistence);
    }
    for (const clientId of (await this.#backend.storedSessions?.()) ?? []) this.#sessions.restore(clientId);
    if (this.#config.limits.sessionExpiry > 0) await this.#backend.sessionClock?.adopt();
    this.#trackSessions();
    this.#closing.signal.throwIfAborted();
    this.#state = 'listening';
    const host: ListenerHost = {
      accept: (info, sink) => this.#accept(info, sink),
      trustProxy: this.#config.trustProxy.forwardedFor,
      proxyProtocol: this.#config.trustProxy.proxyProtocol,
    };
    // Not ready while redis is unreachable: a load balancer sends new clients to other nodes.
    const ready = (): boolean => this.#state === 'listening' && (this.#backend.link?.up ?? true);
    const metrics = createMetrics(this.stats, {
      scryptRuns: () => this.stats.scryptRuns,
      ready,
      events: () => this.catalogue.counts(),
    });
    await this.#history.open();
    const history = (req: IncomingMessage, res: ServerResponse) => this.#history.handle(req, res);
    const ingest = createIntake({
      refusal: (packet, identity, clientId) => this.#inspector.refusal(packet, identity, clientId),
      publish: (packet, done) => this.#aedes.publish(packet, done),
      config: () => this.#config,
      events: () => this.#events,
      env: this.#env,
      stats: this.stats,
      logger: this.#logger,
    });
    const degraded = (): string | undefined => this.#history.degraded();
    await startListeners(this.#listeners, host, this.#config, { metrics, ready, degraded, history, ingest });
    this.#closing.signal.throwIfAborted();
    this.#reporter.start();
    this.publishServices();
    this.#logger.info(
      { listeners: this.#listeners.map((l) => `${l.kind}:${l.address().port}`) },
      'firehose broker listening',
    );
    this.emit('listening');
  }

  /**
   * Stops accepting, gives queued outbound bytes up to `flushMs` to reach clients, disconnects
   * them, closes persistence. Safe to call twice.
   */
  async close(options: { /** @default 1000 */ flushMs?: number } = {}): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#state = 'closing';
    this.#closing.abort(new Error('broker closed before it was listening'));
    await this.#starting?.catch(() => undefined);
    const until = Date.now() + (options.flushMs ?? 1000);
    const pending = (): boolean => [...this.#connections].some((conn) => conn.pendingBytes() > 0);
    this.#reporter.stop();
    for (const listener of this.#listeners) listener.stop();
    while (pending() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise<void>((resolve) => this.#aedes.close(() => resolve()));
    for (const conn of this.#connections) conn.destroy();
    // After aedes closed its clients: their unacknowledged shared messages were handed off.
    if (this.#started) await this.#sharedGroups?.close();
    else this.#backend.sharedRedis?.disconnect();
    await Promise.all(this.#listeners.map((l) => l.close()));
    await this.#history.close().catch((error: unknown) => this.#internalError(error));
    if (this.#sweeper) clearInterval(this.#sweeper);
    await this.#backend
      .close(this.#persistence(), this.#started)
      .catch((error: unknown) => this.#internalError(error));
    this.#state = 'closed';
    this.emit('closed');
  }

  /**
   * Applies a newly loaded config to the running broker (the CLI calls this on SIGHUP): accounts,
   * ACLs, validation, limits and intervals take effect for new logins and messages, TLS
   * certificates are re-read into the running listeners; connected clients stay connected.
   * Listener addresses and persistence need a restart; they are reported in `restart`.
   */
  reload(next: BrokerConfigInput | BrokerConfig): ConfigChanges {
    const config = isResolved(next) ? next : resolveConfig(next);
    const changes = configChanges(this.#config, config);
    const restart = new Set(changes.restart);
    // Keep the running listeners and persistence; take everything else from the new config.
    this.#config = { ...config, listeners: this.#config.listeners, persistence: this.#config.persistence };
    this.#access.update(this.#config);
    for (const kind of ['mqtts', 'wss'] as const) {
      config.listeners[kind].forEach((settings, index) => {
        if (changes.live.some((path) => path.startsWith(`listeners.${kind}[${index}].`))) {
          this.#listeners.filter((l) => l.kind === kind)[index]?.reloadTls?.(settings);
        }
      });
    }
    if (restart.size > 0)
      this.#logger.warn({ restart: [...restart] }, 'some changes take effect only after a restart');
    this.#logger.info({ changed: changes.live }, 'configuration reloaded');
    return changes;
  }

  /**
   * Re-reads the catalogue files (of `next`, else of the running config) and swaps the services
   * publishes are checked against, without dropping a connection or a message: a publish is
   * checked against the old catalogue or the new one, never a mix. The CLI calls this on SIGHUP.
   * The catalogue is refused whole (the running one stays, and this rejects with the
   * `CatalogueError` naming file, line and field) when any file is, or when a schema changes in a
   * way that breaks consumers of a running type and major (`checkCompatible`) without a new major.
   * On success every `$firehose/catalogue/<node>/declared/…` record is published again, those
   * of types no longer declared are cleared, and `$firehose/services` is replaced by the new site
   * services (`publishServices`).
   */
  reloadCatalogue(next?: BrokerConfigInput | BrokerConfig): Promise<CatalogueReload> {
    const run = this.#catalogueReload.then(() => this.#swapCatalogue(next));
    this.#catalogueReload = run.catch(() => undefined);
    return run;
  }

  async #swapCatalogue(next: BrokerConfigInput | BrokerConfig | undefined): Promise<CatalogueReload> {
    const config = next === undefined ? this.#config : isResolved(next) ? next : resolveConfig(next);
    const previous = this.#events;
    const events = await loadEventCatalogue(config.catalogue, this.#given, previous);
    const before = new Set(previous.eventTypes.map((t) => t.type));
    const after = new Set(events.eventTypes.map((t) => t.type));
    this.#events = events;
    this.#config = { ...this.#config, catalogue: config.catalogue };
    this.#inspector.forgetTopics();
    const removed = this.catalogue.declare(events.eventTypes);
    for (const name of removed)
      this.#publishInternal(catalogueTopic({ kind: 'declared', name, node: this.nodeId }), '', true);
    this.publishCatalogue(true);
    // The retained description readers learn site services from (CLI, dashboard): the new one.
    this.publishServices();
    const reload: CatalogueReload = {
      services: events.services.map((s) => s.name),
      added: [...after].filter((type) => !before.has(type)),
      removed,
    };
    this.#logger.info(reload, 'catalogue reloaded');
    return reload;
  }

  /** Each shared-subscription group (`$share/<group>/<filter>`) on this node: members and deliveries. */
  sharedSubscriptions(): SharedGroupStats[] {
    return this.#aedes.sharedSubscriptions();
  }

  /** Bound address of a listener (the real port when configured with port 0). */
  address(kind: ListenerName, index = 0): { host: string; port: number } | undefined {
    return this.#listeners.filter((l) => l.kind === kind)[index]?.address();
  }

  /** A URL clients can connect to, e.g. `mqtt://127.0.0.1:41234` or `ws://127.0.0.1:40001/mqtt`. */
  url(kind: ListenerName, index = 0): string | undefined {
    const listener = this.#listeners.filter((l) => l.kind === kind)[index];
    return listener ? listenerUrl(listener) : undefined;
  }

  /** The effective configuration with secrets masked. */
  printConfig(): string {
    return printConfig(this.#config);
  }
}

/** A resolved config has its persistence parsed into an object; an input has a string or nothing. */
function isResolved(config: BrokerConfigInput | BrokerConfig): config is BrokerConfig {
  return typeof config.persistence === 'object';
}

/**
 * Creates a broker from a config object; call `listen()` to start it. Throws a `BROKEN_INSTALL`
 * FirehoseError when the aedes it loaded lacks the firehose fixes.
 */
export async function createBroker(
  config: BrokerConfigInput | BrokerConfig = {},
  options: CreateBrokerOptions = {},
): Promise<FirehoseBroker> {
  assertAedesFixes();
  const resolved = isResolved(config) ? config : resolveConfig(config);
  // Before persistence opens: a refused catalogue file or clashing services throw here, naming
  // them, with nothing to close.
  const given = options.services ?? [];
  const events = await loadEventCatalogue(resolved.catalogue, given);
  const backend = await createPersistence(
    resolved.persistence,
    resolved.limits.maxOfflineMessages,
    resolved.redis.replicaWait,
  );
  return new FirehoseBroker(resolved, options.logger ?? silentLogger, backend, options.heartbeatIntervalMs, {
    events,
    given,
    env: options.env ?? process.env,
  });
}
