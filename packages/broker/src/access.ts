import type { ConnectionInfo } from './connection/connection.js';
import { verifyPassword } from './password.js';
import type { AccountSettings, BrokerSettings } from './settings.js';
import { filterCovers, filterMatches, filtersOverlap } from './topic-match.js';

/** Who a connected client is. */
export interface ClientIdentity {
  /** Service account name, or undefined for anonymous clients. */
  readonly username: string | undefined;
  readonly account: AccountSettings | undefined;
  readonly info: ConnectionInfo;
}

/** CONNACK return codes [MQTT-3.2.2.3]. */
export type ConnackCode = 0 | 2 | 4 | 5;

export type AuthResult = { ok: true; identity: ClientIdentity } | { ok: false; code: ConnackCode; reason: string };

/** Topics aedes publishes that name client ids ($SYS/<broker-id>/new/clients, …/new/subscribes). */
function revealsClientIds(topic: string): boolean {
  if (!topic.startsWith('$SYS/')) return false;
  const slash = topic.indexOf('/', 5);
  return slash > 0 && topic.startsWith('/new/', slash);
}

/** Topics only the broker writes [DESIGN §6]. */
export function isRestrictedTopic(topic: string): boolean {
  return topic.startsWith('$SYS/') || topic.startsWith('$firehose/') || topic === '$SYS' || topic === '$firehose';
}

/**
 * Authentication and ACL decisions, as plain typed functions (the aedes callback adaptation lives
 * in `aedes-hooks.ts`).
 */
export class AccessControl {
  #settings: BrokerSettings;

  constructor(settings: BrokerSettings) {
    this.#settings = settings;
  }

  /** Swaps accounts and ACLs (SIGHUP reload) without touching connected clients. */
  update(settings: BrokerSettings): void {
    this.#settings = settings;
  }

  async authenticate(info: ConnectionInfo, username: string | undefined, password: Buffer | undefined): Promise<AuthResult> {
    if (username === undefined || username === '') {
      if (password !== undefined) return { ok: false, code: 4, reason: 'password without username' };
      return { ok: true, identity: { username: undefined, account: undefined, info } };
    }
    const account = this.#settings.accounts.get(username);
    const plain = password?.toString('utf8') ?? '';
    let ok = false;
    if (account) {
      for (const hash of account.passwords) {
        if (await verifyPassword(plain, hash)) ok = true;
      }
    }
    if (!ok) return { ok: false, code: 4, reason: 'bad username or password' };
    return { ok: true, identity: { username, account, info } };
  }

  /** Whether `identity` may publish to `topic`. */
  canPublish(identity: ClientIdentity, topic: string): boolean {
    if (isRestrictedTopic(topic)) return false;
    const filters = identity.account ? identity.account.write : this.#settings.anonymous.write;
    for (const filter of filters) if (filterMatches(filter, topic)) return true;
    return false;
  }

  /** Whether `identity` may subscribe to `filter` (SUBACK 0x80 otherwise). */
  canSubscribe(identity: ClientIdentity, filter: string): boolean {
    const reads = identity.account ? identity.account.read : this.#settings.anonymous.read;
    if (!reads.some((allowed) => filterCovers(allowed, filter))) return false;
    if (!identity.account) {
      // A filter wholly inside a denied prefix is refused outright; a partial overlap is allowed and
      // filtered per delivered message in canReceive.
      if (this.#settings.anonymous.deny.some((deny) => filterCovers(deny, filter))) return false;
    }
    return true;
  }

  /** Whether a delivery of `topic` may reach `identity` (live, retained and offline alike). */
  canReceive(identity: ClientIdentity, topic: string): boolean {
    if (identity.account) return true;
    if (revealsClientIds(topic)) return false;
    const deny = this.#settings.anonymous.deny;
    for (let i = 0; i < deny.length; i++) if (filterMatches(deny[i]!, topic)) return false;
    return true;
  }

  /** True when some anonymous deny rule could apply to `filter` (used to skip per-message checks). */
  mayDeny(filter: string): boolean {
    return this.#settings.anonymous.deny.some((deny) => filtersOverlap(deny, filter));
  }
}
