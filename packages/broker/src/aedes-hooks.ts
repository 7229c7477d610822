import { parseShare } from '@firehose/aedes';
import type {
  AedesOptions,
  AedesPublishPacket,
  AuthenticateError,
  Client,
  ConnectPacket,
  PublishPacket,
  Subscription,
} from '@firehose/aedes';
import type { AccessControl, ClientIdentity, ConnackCode } from './access.js';
import type { FirehoseConnection } from './connection/connection.js';
import type { Logger } from './logger.js';
import type { BrokerConfig } from './config/types.js';
import type { SessionTracker } from './sessions.js';
import type { BrokerStats } from './stats.js';

/** Decides what happens to an authorised PUBLISH before fan-out (validation, catalogue). */
export interface PublishInspector {
  /** Returns false to acknowledge the message without delivering it. */
  inspect(packet: PublishPacket, identity: ClientIdentity, clientId: string): boolean;
  /** Rewrites a delivery for a connection (the `payload: data` listener); undefined = unchanged. */
  rewrite(packet: AedesPublishPacket, identity: ClientIdentity): AedesPublishPacket | undefined;
}

export interface HookContext {
  config: () => BrokerConfig;
  access: AccessControl;
  stats: BrokerStats;
  logger: Logger;
  inspector: PublishInspector;
  sessions: SessionTracker;
  /** Packets acknowledged but not to be delivered (see `divertPublish` in aedes-instance.ts). */
  diverted: WeakSet<object>;
  /** A client's PUBLISH arrived, before any store write for it (replica-wait.ts). */
  publishArrived?: (packet: object) => void;
}

type AedesHooks = Required<
  Pick<
    AedesOptions,
    'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'
  >
>;

function authError(code: ConnackCode, message: string): AuthenticateError {
  const error = new Error(message) as AuthenticateError;
  (error as { returnCode: number }).returnCode = code;
  return error;
}

function keepaliveAllowed(keepalive: number, min: number, max: number): boolean {
  if (keepalive === 0) return min === 0;
  return keepalive >= min && (max === 0 || keepalive <= max);
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
export class AedesHookAdapter {
  readonly #identities = new WeakMap<Client, ClientIdentity>();
  readonly #rejections = new WeakMap<Client, { code: ConnackCode; reason: string }>();
  readonly #ctx: HookContext;

  constructor(ctx: HookContext) {
    this.#ctx = ctx;
  }

  identity(client: Client): ClientIdentity | undefined {
    return this.#identities.get(client);
  }

  hooks(): AedesHooks {
    const ctx = this.#ctx;
    return {
      preConnect: (client: Client, packet: ConnectPacket, callback) => {
        const limits = ctx.config().limits;
        // A failing preConnect closes the socket without CONNACK, so refusals are recorded here
        // and answered from authenticate with a proper return code (docs/architecture.md#decisions).
        if (packet.clientId === '' && packet.clean === false) {
          // [MQTT-3.1.3-8] zero-byte ClientId with CleanSession 0: CONNACK 0x02, then close.
          this.#rejections.set(client, { code: 2, reason: 'empty client id with clean session 0' });
        } else if (!keepaliveAllowed(packet.keepalive ?? 0, limits.keepaliveMin, limits.keepaliveMax)) {
          // aedes' keepaliveLimit answers with the non-standard code 6; 3.1.1 clients get 2.
          this.#rejections.set(client, {
            code: 2,
            reason: `keepalive ${packet.keepalive ?? 0} outside ${limits.keepaliveMin}..${limits.keepaliveMax}`,
          });
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
        ctx.access.authenticate(info, client.id, username, password).then(
          (result) => {
            if (!result.ok) {
              ctx.stats.drop(result.reason === 'rate-limited' ? 'auth_rate_limited' : 'auth_failed');
              ctx.logger.debug({ ip: info.ip, username, reason: result.reason }, 'authentication refused');
              callback(authError(result.code, result.reason), false);
              return;
            }
            // The will is checked now: when this node dies, another node publishes it without a client.
            const will = client._will;
            if (will && !ctx.access.acl.canPublish(result.identity.account, will.topic)) {
              ctx.stats.drop('acl_publish');
              callback(authError(5, `not authorised to publish a will to ${will.topic}`), false);
              return;
            }
            const limits = ctx.config().limits;
            if (!ctx.sessions.admit(client.id, info.ip, client.clean, limits.maxSessionsPerIp)) {
              ctx.stats.drop('sessions_per_ip');
              ctx.logger.warn(
                { ip: info.ip, clientId: client.id },
                'persistent session quota of this address reached',
              );
              callback(authError(5, 'too many persistent sessions from this address'), false);
              return;
            }
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
        const limits = ctx.config().limits;
        if (identity === undefined || !ctx.access.acl.canPublish(identity.account, topic)) {
          ctx.stats.drop('acl_publish');
          ctx.logger.warn(
            { clientId: client.id, username: identity?.account?.name, topic },
            'publish denied by ACL',
          );
          // ACL violations disconnect (docs/architecture.md#decisions); MQTT 3.1.1 has no negative PUBACK.
          callback(new Error(`not authorised to publish to ${topic}`));
          return;
        }
        // Levels are enforced by aedes itself (maxTopicLevels is passed through); bytes only when the
        // UTF-16 length says they might exceed the limit.
        if (topic.length * 3 > limits.maxTopicLength && Buffer.byteLength(topic) > limits.maxTopicLength) {
          ctx.stats.drop('acl_publish');
          callback(new Error('topic exceeds the configured length or level limit'));
          return;
        }
        ctx.stats.messagesReceived++;
        if (!ctx.inspector.inspect(packet, identity, client.id)) ctx.diverted.add(packet);
        if (packet.qos === 1) ctx.publishArrived?.(packet);
        callback(null);
      },

      authorizeSubscribe: (client: Client, sub: Subscription, callback) => {
        const identity = this.#identities.get(client);
        const limits = ctx.config().limits;
        // `$share/<group>/<filter>` reads what its filter reads (@firehose/aedes refused bad names).
        const share = parseShare(sub.topic);
        const filter = share?.error === undefined && share !== null ? share.filter : sub.topic;
        const allowed =
          identity !== undefined &&
          levels(sub.topic) <= limits.maxTopicLevels &&
          Buffer.byteLength(sub.topic) <= limits.maxTopicLength &&
          ctx.access.acl.canSubscribe(identity.account, filter);
        if (!allowed) {
          ctx.stats.drop('acl_subscribe');
          if (share !== null) {
            ctx.logger.warn(
              { clientId: client.id, topic: sub.topic },
              `shared subscription refused: the filter ${filter} is outside what this client may read`,
            );
          }
          // null grants 0x80 in the SUBACK [MQTT-3.9.3].
          callback(null, null);
          return;
        }
        if (!identity.checkReceive && ctx.access.acl.needsReceiveCheck(identity.account, filter)) {
          identity.checkReceive = true;
        }
        callback(null, sub);
      },

      authorizeForward: (client: Client, packet: AedesPublishPacket) => {
        const identity = this.#identities.get(client);
        if (identity === undefined) return null;
        if (identity.checkReceive && !ctx.access.acl.canReceive(identity.account, packet.topic)) return null;
        if (identity.info.payload === 'data') return ctx.inspector.rewrite(packet, identity) ?? packet;
        return packet;
      },
    };
  }
}
