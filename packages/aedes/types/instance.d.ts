import { Duplex } from 'node:stream'
import { Socket } from 'node:net'
import { IncomingMessage } from 'node:http'
import { Client } from './client.js'
import type {
  AedesPublishPacket,
  ConnectPacket,
  ConnackPacket,
  Subscription,
  PingreqPacket,
  PublishPacket,
  PubrelPacket
} from './packet.js'
import { EventEmitter } from 'node:events'

type LastHearthbeatTimestamp = number

export interface Brokers {
  [brokerId: string]: LastHearthbeatTimestamp;
}

/**
 * firehose: what aedes uses of a connection, for a stream-like object that is not a Duplex
 * (`@firehose/broker`'s connection wrapper): `read()` after 'readable', piecewise corked writes,
 * `destroy()`, and the events 'readable', 'end', 'error', 'close', 'drain'.
 */
export interface StreamLike extends EventEmitter {
  read (size?: number | null): Buffer | null
  write (chunk: Buffer | Uint8Array | string, encoding?: unknown, callback?: unknown): boolean
  cork (): void
  uncork (): void
  destroy (error?: Error | null): this
  readonly destroyed: boolean
  readonly writableNeedDrain: boolean
}

export type Connection = Duplex | Socket | StreamLike

/* eslint no-unused-vars: 0 */
export const enum AuthErrorCode {
  UNNACCEPTABLE_PROTOCOL = 1,
  IDENTIFIER_REJECTED = 2,
  SERVER_UNAVAILABLE = 3,
  BAD_USERNAME_OR_PASSWORD = 4,
  NOT_AUTHORIZED = 5,
}

export type AuthenticateError = Error & { returnCode: AuthErrorCode }

type PreConnectHandler = (
  client: Client,
  packet: ConnectPacket,
  callback: (error: Error | null, success: boolean) => void
) => void

type AuthenticateHandler = (
  client: Client,
  username: Readonly<string | undefined>,
  password: Readonly<Buffer | undefined>,
  done: (error: AuthenticateError | null, success: boolean | null) => void
) => void

type AuthorizePublishHandler = (
  client: Client | null,
  packet: PublishPacket,
  callback: (error?: Error | null) => void
) => void

type AuthorizeSubscribeHandler = (
  client: Client,
  subscription: Subscription,
  callback: (error: Error | null, subscription?: Subscription | null) => void
) => void

type AuthorizeForwardHandler = (
  client: Client,
  packet: AedesPublishPacket
) => AedesPublishPacket | null | void

type PublishedHandler = (
  packet: AedesPublishPacket,
  client: Client,
  callback: (error?: Error | null) => void
) => void

/** firehose: true = acknowledge the publish as usual but neither store nor deliver it. */
type DivertPublishHandler = (packet: PublishPacket, client: Client) => boolean

/**
 * firehose: runs synchronously for every message the broker accepts, in each publisher's order,
 * once it is stored for every persistent session, in the step that hands it to live delivery.
 */
type BeforeDeliverHandler = (packet: AedesPublishPacket, client: Client | null) => void

/**
 * firehose: runs before each QoS 1 PUBACK, once the message is stored for every persistent session,
 * in the publisher's order; `done()` sends the PUBACK, `done(error)` ends the connection without it
 * (the publisher resends the message when it reconnects). Calls of `done` must keep the order.
 */
type AcknowledgePublishHandler = (
  client: Client,
  packet: PublishPacket,
  done: (error?: Error | null) => void
) => void

/** firehose: the promise API of the persistence aedes drives (aedes-persistence and its siblings). */
export interface AedesAsyncPersistence {
  setup (broker: Aedes): Promise<void>
  destroy? (): Promise<void>
  cleanSubscriptions (client: { id: string }): Promise<unknown>
  outgoingStream (client: { id: string }): AsyncIterable<{ messageId?: number }>
  outgoingEnqueueCombi (subs: { clientId: string }[], packet: unknown): Promise<unknown>
  outgoingClearMessageId (client: { id: string }, packet: unknown): Promise<unknown>
  delWill (client: { id: string; brokerId?: string }): Promise<unknown>
}

/** firehose: the emitter aedes publishes through (mqemitter and its siblings). */
export interface AedesEmitter {
  on (topic: string, handler: (packet: AedesPublishPacket, done: () => void) => void, done?: () => void): void
  emit (packet: object, done?: (error?: Error) => void): void
  close (done: () => void): void
}

type DecodeProtocolHandler = (
  client: Client,
  buffer: Buffer
) => any

export interface AedesOptions {
  mq?: any;
  id?: string;
  persistence?: any;
  concurrency?: number;
  heartbeatInterval?: number;
  connectTimeout?: number;
  drainTimeout?: number; // default: 60000 (60 seconds)
  keepaliveLimit?: number;
  queueLimit?: number;
  maxInflightInbound?: number; // broker-side cap on inbound in-flight QoS 2 per client; 0 = unlimited (default: 1000)
  maxClientsIdLength?: number;
  maxTopicLevels?: number; // default: 100, clamped to [1, 100]
  decodeProtocol?: DecodeProtocolHandler;
  trustProxy?: boolean;
  trustedProxies?: string[];
  preConnect?: PreConnectHandler;
  authenticate?: AuthenticateHandler;
  authorizePublish?: AuthorizePublishHandler;
  authorizeSubscribe?: AuthorizeSubscribeHandler;
  authorizeForward?: AuthorizeForwardHandler;
  published?: PublishedHandler;
  divertPublish?: DivertPublishHandler;
  beforeDeliver?: BeforeDeliverHandler | null;
  acknowledgePublish?: AcknowledgePublishHandler | null;
  /** firehose: whether a shared-subscription member can take another message now (null: its connection needs no drain) */
  sharedCanTake?: ((client: Client) => boolean) | null;
  /** firehose: makes `$share` groups span the brokers of a cluster (null: each broker on its own) */
  sharedCluster?: SharedCluster | null;
}

/**
 * firehose: what shared-subscription groups ask of a cluster (lib/shared.js). `key` is the group's
 * `<group>/<filter>`; `packet` the message as the emitter delivered it (`brokerId` and
 * `brokerCounter` name it identically on every node).
 */
export interface SharedCluster {
  /** whether this node delivers the message (exactly one node is told true); `ready`: a local member can take it now */
  claim (key: string, packet: AedesPublishPacket, ready: boolean, done: (won: boolean) => void): void
  /** the group's members on this node, after a join or leave */
  members (key: string, group: string, filter: string, count: number): void
  /** a QoS 1 message this node owned was acknowledged by a member (or delivered at QoS 0) */
  delivered (key: string, packet: AedesPublishPacket): void
  /** a QoS 1 message this node owns has no local member left to take it: another node's members should */
  handOff (key: string, packet: AedesPublishPacket): void
}

/** firehose: one `$share/<group>/<filter>` group on this broker */
export interface SharedGroupStats {
  group: string
  filter: string
  members: { clientId: string; deliveries: number }[]
  /** messages handed to a member (redeliveries included) */
  deliveries: number
  /** messages in flight to a member that left, handed to another member */
  redeliveries: number
  /** messages in flight to the last member when it left */
  lost: number
  /** with a cluster: QoS 1 messages this node owned but had no member left for, handed to the other nodes */
  handedOff: number
}

/** firehose: `{ group, filter }` for `$share/<group>/<filter>`, `{ error }` for a bad one, null for an ordinary filter */
export function parseShare (topic: string): { group: string; filter: string; error?: undefined } | { error: string } | null

/** firehose: which of the fork's fixes this copy carries (see README.md) */
export const FIREHOSE_FIXES: number

export class Aedes extends EventEmitter {
  /** firehose: each shared-subscription group on this broker */
  sharedSubscriptions (): SharedGroupStats[]
  /** firehose: delivers a message another cluster node owned to this node's members of group `key`; false when there are none */
  sharedRedeliver (key: string, packet: AedesPublishPacket): boolean
  /**
   * firehose: every connected persistent session gets its stored queue again, then the live messages held
   * meanwhile, each once (as at a reconnect); for a cluster whose emitter lost messages while renewing its
   * subscriptions. Resolves to how many sessions it resent.
   */
  resendStoredQueues (): Promise<number>
  id: Readonly<string>
  connectedClients: Readonly<number>
  closed: Readonly<boolean>
  brokers: Readonly<Brokers>
  /** firehose: this node's registered clients by id */
  readonly clients: Readonly<Record<string, Client | undefined>>
  /** firehose: the persistence in use; undefined until `listen()` has set it up */
  readonly persistence: AedesAsyncPersistence | undefined
  readonly mq: AedesEmitter

  constructor (option?: AedesOptions)
  handle: (stream: Connection, request?: IncomingMessage) => Client

  on (event: 'closed', listener: () => void): this
  /** firehose: a SUBSCRIBE topic refused before authorizeSubscribe (a bad `$share/...`) */
  on (event: 'subscriptionRefused', listener: (client: Client, topic: string, reason: string) => void): this
  /** firehose: a persistence or emitter failure */
  on (event: 'error', listener: (error: Error) => void): this
  on (
    event: 'client' | 'clientReady' | 'clientDisconnect' | 'keepaliveTimeout',
    listener: (client: Client) => void
  ): this

  on (
    event: 'clientError' | 'connectionError',
    listener: (client: Client, error: Error) => void
  ): this

  on (
    event: 'connackSent',
    listener: (packet: ConnackPacket, client: Client) => void
  ): this

  on (
    event: 'ping',
    listener: (packet: PingreqPacket, client: Client) => void
  ): this

  on (
    event: 'publish',
    listener: (packet: AedesPublishPacket, client: Client | null) => void
  ): this

  on (
    event: 'ack',
    listener: (packet: PublishPacket | PubrelPacket, client: Client) => void
  ): this

  on (
    event: 'subscribe',
    listener: (subscriptions: Subscription[], client: Client) => void
  ): this

  on (
    event: 'unsubscribe',
    listener: (unsubscriptions: string[], client: Client) => void
  ): this

  listen (): Promise<void>

  static createBroker (option?: AedesOptions): Promise<Aedes>

  publish (packet: PublishPacket, callback: (error?: Error) => void): void
  subscribe (
    topic: string,
    deliverfunc: (packet: AedesPublishPacket, callback: () => void) => void,
    callback: () => void
  ): void

  unsubscribe (
    topic: string,
    deliverfunc: (packet: AedesPublishPacket, callback: () => void) => void,
    callback: () => void
  ): void

  close (callback?: () => void): void

  preConnect: PreConnectHandler
  authenticate: AuthenticateHandler
  authorizePublish: AuthorizePublishHandler
  authorizeSubscribe: AuthorizeSubscribeHandler
  authorizeForward: AuthorizeForwardHandler
  published: PublishedHandler
  divertPublish: DivertPublishHandler
  beforeDeliver: BeforeDeliverHandler | null
  acknowledgePublish: AcknowledgePublishHandler | null
}
