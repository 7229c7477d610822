import { FirehoseError, isFirehoseError, validateTopic, type FirehoseEvent } from '@firehose/protocol';
import type { Catalogue, EventType, InferData, InferParams, Subscription } from '@firehose/schema';
import { SERVICES_TOPIC } from '@firehose/schema/site';
import type { IConnackPacket, MqttClient } from 'mqtt';
import type { BrokerAddress } from './broker-url.js';
import { learnedCatalogue, parseServicesRecord, type LearnedServices } from './broker-services.js';
import { buildEnvelope } from './build-envelope.js';
import { Connection, type ConnectionHooks } from './connection.js';
import { decodeMessage } from './decode.js';
import { DedupeWindow } from './dedupe-window.js';
import { Emitter } from './emitter.js';
import { EventBuffer } from './event-buffer.js';
import type { ResolvedOptions } from './options.js';
import { HistoryClient } from './history/history-client.js';
import type { HistoryStream } from './history/history-stream.js';
import type {
  FilterHistoryEvent,
  HistoryEvent,
  HistoryOptions,
  HistoryQuery,
  HistoryTarget,
  SearchOptions,
  SearchPage,
} from './history/history-types.js';
import { deriveHistoryUrl } from './history/history-url.js';
import { Publisher } from './publisher.js';
import type { FilterEvent, FilterEventStream } from './filter-event.js';
import { compileWhere, resolveTarget, type SubscribeTarget } from './subscribe-target.js';
import { SubscriptionRegistry, type QoS, type Registration } from './subscription-registry.js';
import { SubscriptionSync } from './subscription-sync.js';
import type {
  ClientEvents,
  ClientState,
  EventHandler,
  EventsOptions,
  EventStream,
  PublishOptions,
  PublishRawOptions,
  RawMessage,
  ReceivedEvent,
  SubscribeOptions,
  Unsubscribe,
} from './types.js';

interface ClientRegistration extends Registration {
  /** For typed targets: only events of this type reach the handler. */
  readonly type: string | undefined;
  readonly where: ((received: ReceivedEvent) => boolean) | undefined;
  readonly handler: (received: ReceivedEvent) => void;
  /** From subscribeRaw(): gets the bytes, nothing is parsed or validated. */
  readonly raw: ((message: RawMessage) => void) | undefined;
}

/** `$share/<group>/<filter>` for each filter; the broker grants a shared subscription QoS 1 at most. */
function sharedFilters(group: string, filters: readonly string[]): string[] {
  if (typeof group !== 'string' || group === '' || /[/+#]/.test(group)) {
    throw new FirehoseError(
      'INVALID_CONFIG',
      `group must be a non-empty name without /, + or #, got ${JSON.stringify(group)}; use a name like 'log-workers'.`,
      { path: 'group' },
    );
  }
  return filters.map((filter) => `$share/${group}/${filter}`);
}

const decoder = new TextDecoder();

/** Persistent sessions may deliver queued messages before the app has subscribed; hold this many. */
const EARLY_LIMIT = 1000;

/**
 * A connected firehose client. Create one with {@link connect}. Subscriptions survive reconnects,
 * publishes always settle, and nothing a broker or a handler does makes it throw asynchronously:
 * problems are reported on the `error` and `invalid` events.
 */
export class FirehoseClient extends Emitter<ClientEvents> {
  private currentState: ClientState = 'connecting';
  private connection: Connection | undefined;
  private readonly registry = new SubscriptionRegistry<ClientRegistration>();
  private readonly sync: SubscriptionSync;
  private readonly publisher: Publisher;
  private readonly dedupe: DedupeWindow | undefined;
  private readonly streams = new Set<EventBuffer<ReceivedEvent>>();
  /** Decodes, validates, routes and builds events: the options' catalogue, then what learnServices() learned. */
  private currentCatalogue: Catalogue;
  /** learnServices(): the record's state; `undefined` until the first record (or none) is known. */
  private brokerServices:
    | { subscribed: Promise<boolean>; learned?: LearnedServices; problem?: FirehoseError; text?: string }
    | undefined;
  private readonly servicesWaiters = new Set<() => void>();
  private early: { topic: string; payload: Uint8Array }[] = [];
  private counters = { received: 0, duplicates: 0, invalid: 0 };
  private firstAddress: BrokerAddress | undefined;
  private historyClient: HistoryClient | undefined;

  /** @internal Use {@link connect}. */
  constructor(private readonly options: ResolvedOptions) {
    super((error) => options.logger.error({ err: error }, 'firehose client listener threw'));
    this.publisher = new Publisher(options.offlineQueueSize);
    this.sync = new SubscriptionSync(this.registry, () => this.connection, !options.clean, options.logger);
    this.dedupe = options.dedupe === false ? undefined : new DedupeWindow(options.dedupe);
    this.currentCatalogue = options.catalogue;
  }

  /**
   * The services this client knows, as one catalogue: the built-in ones, the `services` option, and
   * the site services {@link learnServices} learned from the broker (updated when it republishes).
   * Render with it (`render(event, { catalogue: client.catalogue })`) to show a site's events by
   * their declared rules.
   */
  get catalogue(): Catalogue {
    return this.currentCatalogue;
  }

  /** @internal */
  async open(addresses: readonly BrokerAddress[]): Promise<void> {
    this.firstAddress = addresses[0];
    const hooks: ConnectionHooks = {
      onConnect: (client, connack, reconnect) => this.onConnect(client, connack, reconnect),
      onDisconnect: () => {
        this.publisher.setOffline();
        this.setState('reconnecting');
      },
      onRetry: (retry) => this.emit('retry', retry),
      onMessage: (topic, payload) => {
        // Nothing a message does may throw into MQTT.js's parser loop and stall the connection.
        try {
          this.onMessage(topic, payload);
        } catch (error) {
          this.reportError(error);
        }
      },
      onError: (error) => this.reportError(error),
    };
    try {
      this.connection = await Connection.open(addresses, this.options, hooks);
    } catch (error) {
      this.setState('closed');
      throw error;
    }
  }

  /** Current connection state; changes are emitted as `state`. */
  get state(): ClientState {
    return this.currentState;
  }

  /** Counters since connect: events received (after dedupe), duplicates dropped, invalid messages. */
  get stats(): {
    received: number;
    duplicates: number;
    invalid: number;
    queuedPublishes: number;
    inFlightPublishes: number;
  } {
    return {
      ...this.counters,
      queuedPublishes: this.publisher.queuedCount,
      inFlightPublishes: this.publisher.inFlightCount,
    };
  }

  /** Emits `error`; with nobody listening, logs it instead of dropping it silently. */
  private reportError(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    if (this.listenerCount('error') === 0) this.options.logger.warn({ err }, 'firehose client error');
    else this.emit('error', err);
  }

  private setState(state: ClientState): void {
    const previous = this.currentState;
    if (previous === state || previous === 'closed') return;
    this.currentState = state;
    this.options.logger.debug({ state, previous }, 'firehose client state');
    this.emit('state', state, previous);
  }

  private onConnect(client: MqttClient, connack: IConnackPacket, reconnect: boolean): void {
    if (this.currentState === 'closing' || this.currentState === 'closed') return;
    this.sync.connected(connack.sessionPresent);
    this.setState('connected');
    if (reconnect)
      this.sync.restore(connack.sessionPresent).catch((error: unknown) => this.reportError(error));
    this.publisher.setOnline(client);
  }

  private onMessage(topic: string, payload: Uint8Array): void {
    const registrations = this.registry.matching(topic);
    if (registrations.length === 0) {
      // A persistent session can deliver queued messages before subscribe() runs again; hold a
      // bounded number for the first registration that matches, instead of dropping them.
      if (!this.options.clean) {
        this.early.push({ topic, payload });
        if (this.early.length > EARLY_LIMIT) this.early.shift();
      }
      return;
    }
    this.dispatch(topic, payload, registrations);
  }

  private dispatch(topic: string, payload: Uint8Array, registrations: readonly ClientRegistration[]): void {
    let decode = false;
    for (const registration of registrations) {
      if (registration.raw === undefined) {
        decode = true;
        continue;
      }
      try {
        registration.raw({ topic, payload, receivedAt: new Date() });
      } catch (error) {
        this.reportError(error);
      }
    }
    if (!decode) return;
    const decoded = decodeMessage(topic, payload, this.options.validate, this.dedupe, this.currentCatalogue);
    if (decoded.kind === 'duplicate') {
      this.counters.duplicates++;
      return;
    }
    if (decoded.kind === 'invalid') {
      this.counters.invalid++;
      this.options.logger.debug(
        { topic, err: decoded.invalid.error },
        'firehose client received an invalid event',
      );
      this.emit('invalid', decoded.invalid);
      return;
    }
    this.counters.received++;
    const received = decoded.received;
    for (const registration of registrations) {
      if (registration.raw !== undefined) continue;
      if (registration.type !== undefined && received.eventType?.type !== registration.type) continue;
      try {
        if (registration.where && !registration.where(received)) continue;
        registration.handler(received);
      } catch (error) {
        this.reportError(error);
      }
    }
  }

  private register(
    target: SubscribeTarget,
    options: SubscribeOptions,
    handler: (received: ReceivedEvent) => void,
    raw?: (message: RawMessage) => void,
  ): { registration: ClientRegistration; toSubscribe: Map<string, QoS> } {
    this.assertOpen();
    const resolved = resolveTarget(target);
    const type = resolved.type;
    const filters =
      options.group === undefined ? resolved.filters : sharedFilters(options.group, resolved.filters);
    const qos = options.qos ?? 1;
    if (qos !== 0 && qos !== 1 && qos !== 2)
      throw new FirehoseError('INVALID_CONFIG', `qos must be 0, 1 or 2, got ${JSON.stringify(qos)}.`, {
        path: 'qos',
      });
    const registration: ClientRegistration = {
      filters,
      qos,
      type,
      where: compileWhere(options.where),
      handler,
      raw,
    };
    const toSubscribe = this.registry.add(registration);
    this.sync.added(toSubscribe.keys());
    return { registration, toSubscribe };
  }

  /** Sends the SUBSCRIBE a new registration needs; on refusal, takes the registration back. */
  private async activate(
    registration: ClientRegistration,
    toSubscribe: Map<string, QoS>,
  ): Promise<Unsubscribe> {
    try {
      await this.sync.subscribe(toSubscribe);
    } catch (error) {
      await this.unregister(registration);
      throw error;
    }
    this.replayEarly(registration);
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      await this.unregister(registration);
    };
  }

  private replayEarly(registration: ClientRegistration): void {
    if (this.early.length === 0) return;
    const held = this.early;
    this.early = [];
    for (const message of held) {
      if (this.registry.matching(message.topic).includes(registration))
        this.dispatch(message.topic, message.payload, [registration]);
      else this.early.push(message);
    }
  }

  private unregister(registration: ClientRegistration): Promise<void> {
    return this.sync.removed(this.registry.remove(registration));
  }

  private assertOpen(): void {
    if (this.currentState === 'closing' || this.currentState === 'closed') {
      throw new FirehoseError('CLOSED', 'The client is closed; connect() a new one.');
    }
  }

  /**
   * Calls `handler` for every event on `target`. A typed subscription (`gerrit.commentAdded({ project })`)
   * subscribes to all its filters and types `event.data`; a string is any MQTT filter (`'gerrit/#'`).
   * Resolves once the broker granted it (or, while disconnected, once it is recorded: it is sent on reconnect).
   * @throws FirehoseError `INVALID_FILTER`, `INVALID_PREDICATE`, `NOT_AUTHORIZED`, `CLOSED`
   */
  async subscribe<Data, Params extends Record<string, string>>(
    target: Subscription<Data, Params> | EventType<Data, Params>,
    handler: EventHandler<Data, Params>,
    options?: SubscribeOptions<Data, Params>,
  ): Promise<Unsubscribe>;
  async subscribe<F extends string>(
    target: F,
    handler: (event: FilterEvent<F>) => void | Promise<void>,
    options?: SubscribeOptions,
  ): Promise<Unsubscribe>;
  async subscribe(
    target: SubscribeTarget,
    handler: EventHandler<never, never>,
    options: SubscribeOptions<never, never> = {},
  ): Promise<Unsubscribe> {
    const call = handler as unknown as EventHandler;
    const { registration, toSubscribe } = this.register(target, options as SubscribeOptions, (received) => {
      const result = call(received);
      if (result instanceof Promise) result.catch((error: unknown) => this.reportError(error));
    });
    return this.activate(registration, toSubscribe);
  }

  /**
   * Calls `handler` with every message on `filter` as bytes: nothing is parsed, validated or
   * deduplicated, and nothing goes to `invalid`. For the broker's own topics (`$SYS/#`,
   * `$firehose/#`) and payloads that are not firehose envelopes. Survives reconnects like subscribe().
   * @throws FirehoseError `INVALID_FILTER`, `NOT_AUTHORIZED`, `CLOSED`
   */
  async subscribeRaw(
    filter: string,
    handler: (message: RawMessage) => void | Promise<void>,
    options: Pick<SubscribeOptions, 'qos' | 'group'> = {},
  ): Promise<Unsubscribe> {
    const call = (message: RawMessage): void => {
      const result = handler(message);
      if (result instanceof Promise) result.catch((error: unknown) => this.reportError(error));
    };
    const { registration, toSubscribe } = this.register(
      filter,
      { qos: options.qos, group: options.group },
      () => {},
      call,
    );
    return this.activate(registration, toSubscribe);
  }

  /**
   * The events on `target` as an async iterable. Breaking the loop or aborting `signal` unsubscribes.
   * The buffer is bounded (`bufferSize`, default 1000); see `overflow` for what happens when it fills.
   */
  events<Data, Params extends Record<string, string>>(
    target: Subscription<Data, Params> | EventType<Data, Params>,
    options?: EventsOptions<Data, Params>,
  ): EventStream<Data, Params>;
  events<F extends string>(target: F, options?: EventsOptions): FilterEventStream<F>;
  events(target: SubscribeTarget, options: EventsOptions<never, never> = {}): EventStream<never, never> {
    const opts = options as EventsOptions;
    const buffer = new EventBuffer<ReceivedEvent>(
      opts.bufferSize ?? 1000,
      opts.overflow ?? 'drop-oldest',
      async () => {
        this.streams.delete(buffer);
        opts.signal?.removeEventListener('abort', onAbort);
        // Only called once events() has returned, so `added` is initialised.
        await this.unregister(added);
      },
    );
    const onAbort = (): void => {
      void buffer.return();
    };
    // Register now, synchronously, so nothing published after events() returns is missed.
    const { registration: added, toSubscribe } = this.register(target, opts, (received) => {
      if (!buffer.push(received)) void this.unregister(added);
    });
    this.streams.add(buffer);
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const ready = this.sync.subscribe(toSubscribe).then(
      () => this.replayEarly(added),
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        buffer.fail(failure);
        void this.unregister(added);
        throw failure;
      },
    );
    // The loop reports the failure too; nobody has to await `ready`, so never leave it unhandled.
    ready.catch(() => {});
    return Object.assign(buffer, { ready }) as unknown as EventStream<never, never>;
  }

  /**
   * The broker's history API (`historyUrl`), with this client's credentials and validation. Invalid
   * archived events are reported on this client's `invalid` event too.
   */
  get archive(): HistoryClient {
    if (this.historyClient === undefined) {
      const address = this.firstAddress;
      const url = this.options.historyUrl ?? deriveHistoryUrl(address?.url ?? '');
      this.historyClient = new HistoryClient(url, {
        username: this.options.username ?? address?.username,
        password: this.options.password ?? address?.password,
        validate: this.options.validate,
        services: this.options.services,
        backoff: this.options.backoff,
        logger: this.options.logger,
      });
    }
    return this.historyClient;
  }

  /**
   * Archived events on `target`, oldest first, from `since` (a saved cursor, a time, `2h`); with
   * `live: true` the broker's stream continues into live events with nothing missed, repeated or
   * reordered, and reconnects by cursor after a drop. Typed like {@link subscribe}; each event has a
   * `cursor`: pass the last one as `since` to resume exactly after it.
   *
   * ```ts
   * for await (const { event, params, cursor } of client.history(gerrit.commentAdded({ project: 'openstack/nova' }), { since: '2h', live: true })) {
   *   save(cursor);
   * }
   * ```
   * @throws FirehoseError `INVALID_FILTER`, `INVALID_CONFIG` at once; the loop throws `INVALID_QUERY` (with
   * `path`), `NOT_AUTHORIZED`, `RATE_LIMITED`, `HISTORY_OFF`, `CONNECTION_FAILED`
   */
  history<Data, Params extends Record<string, string>>(
    target: Subscription<Data, Params> | EventType<Data, Params>,
    options?: HistoryOptions<Data, Params>,
  ): HistoryStream<HistoryEvent<Data, Params>>;
  history<F extends string>(target: F, options?: HistoryOptions): HistoryStream<FilterHistoryEvent<F>>;
  history(target: HistoryQuery, options?: HistoryOptions): HistoryStream<HistoryEvent>;
  history(
    target: HistoryTarget,
    options?: HistoryOptions<never, never>,
  ): HistoryStream<HistoryEvent<never, never>> {
    this.assertOpen();
    const stream = this.archive.history(
      target as HistoryQuery,
      options as HistoryOptions,
    ) as unknown as HistoryStream<HistoryEvent<never, never>>;
    stream.on('invalid', (invalid) => {
      this.counters.invalid++;
      this.emit('invalid', invalid);
    });
    return stream;
  }

  /**
   * One page of archived events on `target` (newest first unless `order: 'asc'`) and the `next`
   * cursor for the page after it (`null` at the end).
   * @throws FirehoseError `INVALID_QUERY` (with `path`), `NOT_AUTHORIZED`, `RATE_LIMITED`, `HISTORY_OFF`, `CONNECTION_FAILED`
   */
  search<Data, Params extends Record<string, string>>(
    target: Subscription<Data, Params> | EventType<Data, Params>,
    options?: SearchOptions<Data, Params>,
  ): Promise<SearchPage<HistoryEvent<Data, Params>>>;
  search<F extends string>(target: F, options?: SearchOptions): Promise<SearchPage<FilterHistoryEvent<F>>>;
  search(target: HistoryQuery, options?: SearchOptions): Promise<SearchPage<HistoryEvent>>;
  search(
    target: HistoryTarget,
    options?: SearchOptions<never, never>,
  ): Promise<SearchPage<HistoryEvent<never, never>>> {
    this.assertOpen();
    return this.archive.search(target as HistoryQuery, options as SearchOptions) as unknown as Promise<
      SearchPage<HistoryEvent<never, never>>
    >;
  }

  /**
   * Publishes `data` as the schema's event for `topic`: builds the CloudEvents envelope (type,
   * dataschema, subject, deterministic id from the upstream identity), validates it locally, sends it.
   * Given an event type instead of a topic (`publish(gerrit.commentAdded, data)`), `data` is typed
   * by it and the topic is built from the data (`topicFor`), `options.params` filling the rest.
   * Always settles: rejects with `TIMEOUT` after `timeout` ms (a timed-out message is never sent later),
   * `QUEUE_FULL` when too many publishes wait for a connection.
   * @returns the envelope that was sent
   * @throws FirehoseError `INVALID_TOPIC`, `UNKNOWN_EVENT_TYPE`, `INVALID_PAYLOAD` (with `path`), `INVALID_PARAMS`, `INVALID_CONFIG`, `TIMEOUT`, `QUEUE_FULL`, `CLOSED`
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async publish<E extends EventType<any, any>>(
    eventType: E,
    data: InferData<E>,
    options?: PublishOptions & { params?: Partial<InferParams<E>> },
  ): Promise<FirehoseEvent<InferData<E>>>;
  async publish<Data = unknown>(
    topic: string,
    data: Data,
    options?: PublishOptions,
  ): Promise<FirehoseEvent<Data>>;
  async publish(
    target: string | EventType,
    data: unknown,
    options: PublishOptions & { params?: Record<string, string> } = {},
  ): Promise<FirehoseEvent> {
    this.assertOpen();
    const topic = typeof target === 'string' ? target : this.topicOf(target, data, options.params);
    const event = buildEnvelope(topic, data, options, this.options.source, this.currentCatalogue);
    await this.publishRaw(topic, JSON.stringify(event), options);
    return event;
  }

  /** The topic of `data` as an event of `eventType`, which must be in this client's catalogue. */
  private topicOf(eventType: EventType, data: unknown, params: Record<string, string> | undefined): string {
    if (typeof eventType !== 'function' || typeof eventType.topicFor !== 'function')
      throw new FirehoseError(
        'INVALID_TOPIC',
        'publish() takes a topic string or an event type (gerrit.commentAdded, or a site type from firehose schema codegen).',
      );
    if (this.currentCatalogue.getEventType(eventType.type, eventType.version) === undefined)
      throw new FirehoseError(
        'INVALID_CONFIG',
        `${eventType.type} v${eventType.version} is not among this client's services; pass its services to connect() (connect(url, { services })).`,
        { path: 'services' },
      );
    const validation = eventType.validate(data);
    if (!validation.ok) throw validation.error;
    return eventType.topicFor(data, params);
  }

  /** Publishes a payload as is (bridges, `firehose pub --raw`). Same settling rules as {@link publish}. */
  async publishRaw(
    topic: string,
    payload: string | Uint8Array,
    options: PublishRawOptions = {},
  ): Promise<void> {
    this.assertOpen();
    validateTopic(topic);
    const qos = options.qos ?? 1;
    if (qos !== 0 && qos !== 1 && qos !== 2)
      throw new FirehoseError('INVALID_CONFIG', `qos must be 0, 1 or 2, got ${JSON.stringify(qos)}.`, {
        path: 'qos',
      });
    await this.publisher.publish(
      topic,
      payload,
      qos,
      options.retain ?? false,
      options.timeout ?? this.options.publishTimeout,
    );
  }

  /**
   * Learns the site's own services from the broker's retained `$firehose/services` record, so that
   * their events are decoded, validated and typed at run time (`eventType`, `params`), `publish()`
   * builds their envelopes and {@link catalogue} renders them, with no rebuild. Resolves when the
   * record arrives, or after `timeout` ms without one (`published: false`: a broker older than site
   * catalogues, or an account that may not read `$firehose/services`; the built-in services keep
   * working). Stays subscribed: a catalogue reload on the broker republishes the record and the
   * client follows it, emitting `services`. Calling it again waits for the same record.
   * @throws FirehoseError `INVALID_PAYLOAD` when the broker's record is unusable (the built-in services still work), `INVALID_CONFIG` for a bad `timeout`, `CLOSED`
   */
  async learnServices(options: { timeout?: number } = {}): Promise<LearnedServices> {
    this.assertOpen();
    const timeout = options.timeout ?? 3000;
    if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0)
      throw new FirehoseError(
        'INVALID_CONFIG',
        `timeout must be a number of milliseconds ≥ 0, got ${JSON.stringify(timeout)}.`,
        { path: 'timeout' },
      );
    this.brokerServices ??= {
      subscribed: this.subscribeRaw(SERVICES_TOPIC, (message) => this.onServicesRecord(message.payload), {
        qos: 0,
      }).then(
        () => true,
        (error: unknown) => {
          // An account whose read filters leave out $firehose/#: built-in services only.
          if (isFirehoseError(error) && error.code === 'NOT_AUTHORIZED') return false;
          throw error;
        },
      ),
    };
    const state = this.brokerServices;
    if (!(await state.subscribed)) return { services: [], published: false };
    if (state.learned === undefined && state.problem === undefined) {
      // A retained record arrives right after the SUBACK; only an older broker makes this wait out.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.servicesWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeout);
        this.servicesWaiters.add(done);
      });
    }
    if (state.learned !== undefined) return state.learned;
    if (state.problem !== undefined) throw state.problem;
    return { services: [], published: false };
  }

  private onServicesRecord(payload: Uint8Array): void {
    const state = this.brokerServices;
    if (state === undefined) return;
    const text = decoder.decode(payload);
    // The same record again (a reconnect redelivers the retained message): nothing changed.
    if (text === state.text) return;
    state.text = text;
    try {
      const services = parseServicesRecord(text);
      this.currentCatalogue = learnedCatalogue(this.options.services, services);
      state.learned = { services, published: true };
      state.problem = undefined;
      this.emit('services', services);
    } catch (error) {
      const problem = isFirehoseError(error)
        ? error
        : new FirehoseError('INVALID_PAYLOAD', String(error), { cause: error });
      // The last good catalogue stays: a bad record must not make a running client forget services.
      // Before the first good one, a waiting learnServices() throws it; otherwise it is reported.
      if (state.learned === undefined) state.problem = problem;
      if (state.learned !== undefined || this.servicesWaiters.size === 0) this.reportError(problem);
    }
    for (const waiter of [...this.servicesWaiters]) waiter();
  }

  /**
   * Waits for in-flight QoS 1/2 publishes (up to `closeTimeout`), rejects what is still queued with
   * `CLOSED`, ends every `events()` loop, and disconnects. Idempotent.
   */
  async close(): Promise<void> {
    if (this.currentState === 'closed' || this.currentState === 'closing') return;
    this.setState('closing');
    if (this.connection?.connected) await this.publisher.drain(this.options.closeTimeout);
    this.publisher.abort('The client was closed before this publish was acknowledged; it was withdrawn.');
    for (const stream of this.streams) stream.end();
    this.streams.clear();
    await this.connection?.close();
    this.early = [];
    this.setState('closed');
  }
}
