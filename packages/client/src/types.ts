import type { FirehoseError, FirehoseEvent } from '@firehose/protocol';
import type { EventType, ServiceDefinition } from '@firehose/schema';
import type { RetryInfo } from './connection.js';
import type { OverflowPolicy } from './event-buffer.js';

/**
 * Connection state.
 * - `connecting`: the first connection is being made (inside `connect()`).
 * - `connected`: CONNACK received, subscriptions restored, queued publishes flushed.
 * - `reconnecting`: the connection dropped; retrying with backoff across the URLs.
 * - `closing`: `close()` is waiting for in-flight publishes.
 * - `closed`: final.
 */
export type ClientState = 'connecting' | 'connected' | 'reconnecting' | 'closing' | 'closed';

/** One event as a handler receives it: the parsed envelope plus where it came from. */
export interface ReceivedEvent<
  Data = unknown,
  Params extends Record<string, string> = Record<string, string>,
> {
  /** MQTT topic it was published on. */
  readonly topic: string;
  /** The CloudEvents envelope; `data` is typed when the subscription was typed. */
  readonly event: FirehoseEvent<Data>;
  /** The schema's event type for the topic; `undefined` for topics no schema declares. */
  readonly eventType: EventType | undefined;
  /** Topic parameters parsed by the event type's template (e.g. `{ project: 'openstack/nova' }`); `{}` if undeclared. */
  readonly params: Params;
  /** When the client received it. */
  readonly receivedAt: Date;
  /** The raw MQTT payload. */
  readonly payload: Uint8Array;
}

/** A message as `subscribeRaw()` hands it over: bytes, not parsed. */
export interface RawMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly receivedAt: Date;
}

/** A message that failed parsing or validation; it never reaches a handler. */
export interface InvalidEvent {
  readonly topic: string;
  readonly payload: Uint8Array;
  /** Why: `INVALID_ENVELOPE` (not a CloudEvents envelope), `INVALID_PAYLOAD`, `TOPIC_MISMATCH`, … with `path`. */
  readonly error: FirehoseError;
  /** The envelope, when it parsed but its data did not validate. */
  readonly event: FirehoseEvent | undefined;
  readonly receivedAt: Date;
}

/** A handler may be async; a rejection (or throw) is reported on the client's `error` event. */
export type EventHandler<Data = unknown, Params extends Record<string, string> = Record<string, string>> = (
  event: ReceivedEvent<Data, Params>,
) => void | Promise<void>;

/** Removes a subscription; the MQTT UNSUBSCRIBE is sent when no other subscription needs the filter. */
export type Unsubscribe = () => Promise<void>;

/**
 * A client-side filter. A string is the `where` grammar (see `compilePredicate`), evaluated against
 * the envelope plus `topic` and `params`; a function receives the whole {@link ReceivedEvent}.
 */
export type Where<Data = unknown, Params extends Record<string, string> = Record<string, string>> =
  string | ((event: ReceivedEvent<Data, Params>) => boolean);

export interface SubscribeOptions<
  Data = unknown,
  Params extends Record<string, string> = Record<string, string>,
> {
  /**
   * Maximum QoS to request. Use 1 with a persistent session to receive what was published while offline.
   * @default 1
   */
  qos?: 0 | 1 | 2;
  /**
   * Only events for which this holds reach the handler.
   * @default undefined (every event)
   */
  where?: Where<Data, Params>;
  /**
   * Join the shared-subscription group of this name (`$share/<group>/<filter>` on the wire): each event
   * goes to one client of the group, so a pool of workers handles each once. QoS 1 at most; with QoS 1,
   * an event a worker received but had not acknowledged when it went away goes to another worker
   * (handled twice). Do not mix a group and a plain subscription on overlapping topics in one client.
   * @default undefined (every event reaches this client)
   */
  group?: string;
}

export interface EventsOptions<
  Data = unknown,
  Params extends Record<string, string> = Record<string, string>,
> extends SubscribeOptions<Data, Params> {
  /**
   * Aborting ends the iteration and unsubscribes.
   * @default undefined
   */
  signal?: AbortSignal;
  /**
   * Events buffered while the loop body runs.
   * @default 1000
   */
  bufferSize?: number;
  /**
   * What happens when the buffer is full: `drop-oldest` (count in `dropped`), `drop-newest`, or `error`
   * (the loop throws `QUEUE_FULL` after the buffered events).
   * @default 'drop-oldest'
   */
  overflow?: OverflowPolicy;
}

/** The async iterable `events()` returns. */
export interface EventStream<
  Data = unknown,
  Params extends Record<string, string> = Record<string, string>,
> extends AsyncIterableIterator<ReceivedEvent<Data, Params>> {
  /** Events discarded by the overflow policy so far. */
  readonly dropped: number;
  /**
   * Settles once the broker granted the subscription (or, while disconnected, once it is recorded for
   * the reconnect); rejects like the loop would (`NOT_AUTHORIZED`, …). Awaiting it is optional.
   */
  readonly ready: Promise<void>;
}

export interface PublishRawOptions {
  /**
   * QoS of the publish. QoS 1 resolves on PUBACK.
   * @default 1
   */
  qos?: 0 | 1 | 2;
  /**
   * Ask the broker to retain the message.
   * @default false
   */
  retain?: boolean;
  /**
   * Milliseconds before the promise rejects with `TIMEOUT` (e.g. while disconnected); a timed-out
   * message is withdrawn and never sent later.
   * @default the client's `publishTimeout` (10000)
   */
  timeout?: number;
}

export interface PublishOptions extends PublishRawOptions {
  /**
   * Explicit envelope `id`; wins over `identity`.
   * @default derived from `identity`, else from the event type's identity of `data`, else random
   */
  id?: string;
  /**
   * Upstream identity (e.g. Gerrit's change number + patchset + event time) for a deterministic
   * UUIDv5 `id`, so a retried publish is deduplicated downstream.
   * @default the event type's `identity(data)`
   */
  identity?: string | readonly (string | number)[];
  /**
   * Envelope `source` (absolute URI of the upstream instance).
   * @default the client's `source` option, else the service's default upstream URI
   */
  source?: string;
  /**
   * Envelope `time`.
   * @default now
   */
  time?: Date | string;
}

/** Events of a {@link FirehoseClient}. */
export type ClientEvents = {
  state: (state: ClientState, previous: ClientState) => void;
  /**
   * While `reconnecting`: the next attempt is scheduled (attempt number from 1, delay in ms, URL),
   * so a program can say "attempt 3, next try in 1.2 s" instead of going silent.
   */
  retry: (retry: RetryInfo) => void;
  invalid: (invalid: InvalidEvent) => void;
  /**
   * After {@link FirehoseClient.learnServices}: the broker published its site services (again, after
   * a catalogue reload); `client.catalogue` knows them from now on.
   */
  services: (services: readonly ServiceDefinition[]) => void;
  /** Handler failures, subscriptions refused on restore, connection errors while reconnecting. */
  error: (error: Error) => void;
};
