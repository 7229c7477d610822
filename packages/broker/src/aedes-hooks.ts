import type {
  AedesOptions,
  AedesPublishPacket,
  AuthenticateError,
  Client,
  ConnectPacket,
  PublishPacket,
  Subscription,
} from 'aedes';
import type { AccessControl, ClientIdentity, ConnackCode } from './access.js';
import type { FirehoseConnection } from './connection/connection.js';
import type { Logger } from './logger.js';
import type { BrokerSettings } from './settings.js';
import type { BrokerStats } from './stats.js';

/** Decides what happens to an authorised PUBLISH before fan-out (validation, catalogue). */
export interface PublishInspector {
  /** Returns false to acknowledge the message without delivering it. */
  inspect(packet: PublishPacket, identity: ClientIdentity, clientId: string): boolean;
  /** Rewrites a delivery for a connection (the `payload: data` listener); undefined = unchanged. */
  rewrite(packet: AedesPublishPacket, identity: ClientIdentity): AedesPublishPacket | undefined;
}

export interface HookContext {
  settings: () => BrokerSettings;
  access: AccessControl;
  stats: BrokerStats;
  logger: Logger;
  inspector: PublishInspector;
  /** Packets acknowledged but not to be delivered (see `divertPublish` in broker.ts). */
  diverted: WeakSet<object>;
}

type AedesHooks = Required<
  Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>
>;

function authError(code: ConnackCode, message: string): AuthenticateError {
  const error = new Error(message) as AuthenticateError;
  (error as { returnCode: number }).returnCode = code;
  return error;
}

function levels(topic: string): number {
  let n = 1;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) === 47) n++;
  return n;
}

/**
 * The broker's rules as aedes hooks. Each decision is a typed function of `AccessControl` or the
 * inspector; this file only adapts them to aedes' callback signatures and records per-client state.
 */
export class ClientRegistry {
  readonly #identities = new WeakMap<Client, ClientIdentity>();
  readonly #rejections = new WeakMap<Client, { code: ConnackCode; reason: string }>();
  /** Which user holds a client id (live or persistent session), so nobody else can take it over. */
  readonly #owners = new Map<string, string>();
  readonly #ctx: HookContext;

  constructor(ctx: HookContext) {
    this.#ctx = ctx;
  }

  identity(client: Client): ClientIdentity | undefined {
    return this.#identities.get(client);
  }

  /** Forgets a clean client's id ownership when it disconnects. */
  released(client: Client): void {
    if (client.clean && this.#owners.has(client.id)) this.#owners.delete(client.id);
  }

  /** Forgets an expired persistent session's owner. */
  forgetSession(clientId: string): void {
    this.#owners.delete(clientId);
  }

  hooks(): AedesHooks {
    const ctx = this.#ctx;
    return {
      preConnect: (client: Client, packet: ConnectPacket, callback) => {
        const limits = ctx.settings().limits;
        // A failing preConnect closes the socket without CONNACK, so refusals are recorded here
        // and answered from authenticate with a proper return code (DESIGN §6).
        if (packet.clientId === '' && packet.clean === false) {
          // [MQTT-3.1.3-8] zero-byte ClientId with CleanSession 0: CONNACK 0x02, then close.
          this.#rejections.set(client, { code: 2, reason: 'empty client id with clean session 0' });
        } else if (limits.keepaliveMax > 0 && (!packet.keepalive || packet.keepalive > limits.keepaliveMax)) {
          // aedes' keepaliveLimit answers with the non-standard code 6; 3.1.1 clients get 2.
          this.#rejections.set(client, { code: 2, reason: `keepalive outside 1..${limits.keepaliveMax}` });
        }
        callback(null, true);
      },

      authenticate: (client: Client, username, password, callback) => {
        const rejection = this.#rejections.get(client);
        if (rejection) {
          callback(authError(rejection.code, rejection.reason), false);
          return;
        }
        const info = (client.conn as FirehoseConnection).info;
        ctx.access.authenticate(info, username, password).then(
          (result) => {
            if (!result.ok) {
              ctx.stats.drop('auth_failed');
              ctx.logger.info({ ip: info.ip, username, reason: result.reason }, 'authentication refused');
              callback(authError(result.code, result.reason), false);
              return;
            }
            const owner = this.#owners.get(client.id);
            const user = result.identity.username ?? '';
            if (owner !== undefined && owner !== user) {
              ctx.logger.warn({ ip: info.ip, clientId: client.id, username }, 'client id belongs to another user');
              callback(authError(2, 'client id is in use by another user'), false);
              return;
            }
            this.#owners.set(client.id, user);
            this.#identities.set(client, result.identity);
            callback(null, true);
          },
          (error: unknown) => {
            ctx.logger.error({ err: error, ip: info.ip }, 'authentication failed unexpectedly');
            callback(authError(5, 'authentication failed'), false);
          },
        );
      },

      authorizePublish: (client: Client | null, packet: PublishPacket, callback) => {
        // A null client is a will of a client whose broker node died; it was authorised at CONNECT.
        if (client === null) {
          callback(null);
          return;
        }
        const identity = this.#identities.get(client);
        const topic = packet.topic;
        const limits = ctx.settings().limits;
        if (identity === undefined || !ctx.access.canPublish(identity, topic)) {
          ctx.stats.drop('acl_publish');
          ctx.logger.warn({ clientId: client.id, username: identity?.username, topic }, 'publish denied by ACL');
          // ACL violations disconnect (DESIGN §6); there is no negative PUBACK in MQTT 3.1.1.
          callback(new Error(`not authorised to publish to ${topic}`));
          return;
        }
        if (Buffer.byteLength(topic) > limits.maxTopicBytes || levels(topic) > limits.maxTopicLevels) {
          ctx.stats.drop('acl_publish');
          callback(new Error('topic exceeds the configured length or level limit'));
          return;
        }
        ctx.stats.messagesReceived++;
        if (!ctx.inspector.inspect(packet, identity, client.id)) ctx.diverted.add(packet);
        callback(null);
      },

      authorizeSubscribe: (client: Client, sub: Subscription, callback) => {
        const identity = this.#identities.get(client);
        const limits = ctx.settings().limits;
        const allowed =
          identity !== undefined &&
          levels(sub.topic) <= limits.maxTopicLevels &&
          Buffer.byteLength(sub.topic) <= limits.maxTopicBytes &&
          ctx.access.canSubscribe(identity, sub.topic);
        if (!allowed) {
          ctx.stats.drop('acl_subscribe');
          // null grants 0x80 in the SUBACK [MQTT-3.9.3].
          callback(null, null);
          return;
        }
        callback(null, sub);
      },

      authorizeForward: (client: Client, packet: AedesPublishPacket) => {
        const identity = this.#identities.get(client);
        if (identity === undefined) return null;
        if (!ctx.access.canReceive(identity, packet.topic)) return null;
        if (identity.info.payload === 'data') return ctx.inspector.rewrite(packet, identity) ?? packet;
        return packet;
      },
    };
  }
}
