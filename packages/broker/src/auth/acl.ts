import type { Account, BrokerConfig } from '../config/types.js';
import { INVALID_DETAIL_FILTER, INVALID_DETAIL_PREFIX, publisherLevel } from '../invalid-records.js';
import { type FilterSet, compileFilters } from './filter-set.js';

/** The parts of the config the ACL reads (without `validation`, nobody reads invalid details). */
export type AclConfig = Pick<BrokerConfig, 'anonymous' | 'accounts'> & {
  validation?: Pick<BrokerConfig['validation'], 'details'>;
};

/**
 * Access rules, compiled once per config. `account` is the authenticated account, or `undefined`
 * for an anonymous client. An account may do everything an anonymous client may, plus publish
 * under its `write` filters and read under its `read` filters (which also lift `anonymous.deny`).
 */
export interface Acl {
  /** Nobody publishes to a `$` topic (`$SYS/#`, `$firehose/#` are the broker's). */
  canPublish(account: Account | undefined, topic: string): boolean;
  /**
   * A SUBSCRIBE filter is allowed when a read filter covers it and no deny filter covers it
   * entirely; a filter that only overlaps `anonymous.deny` (like `#`) is allowed, and
   * `canReceive` drops the denied messages one by one.
   */
  canSubscribe(account: Account | undefined, filter: string): boolean;
  /**
   * Checked per delivered message (live, retained, offline): never anything matching
   * `anonymous.deny`, never `$firehose/invalid-detail/...` unless `validation.details` names the
   * account (whatever `anonymous.read` or the account's `read` says), never aedes'
   * `$SYS/<id>/new/clients|subscribes|unsubscribes` and
   * `$SYS/<id>/disconnect/clients` (they carry client ids, which would let a reader take over a
   * persistent session [MQTT-3.1.4-2]).
   */
  canReceive(account: Account | undefined, topic: string): boolean;
  /** Whether a subscription on `filter` can ever need `canReceive` to drop a message. */
  needsReceiveCheck(account: Account | undefined, filter: string): boolean;
  /** Whether `account` (or an anonymous client) may connect with `clientId`. */
  clientIdAllowed(clientId: string, account: Account | undefined): boolean;
  /** The account that reserves `clientId`, if any. */
  clientIdOwner(clientId: string): string | undefined;
}

/** aedes publishes client ids on these `$SYS` topics. */
const CLIENT_ID_LEAK_FILTERS: readonly string[] = ['$SYS/+/new/#', '$SYS/+/disconnect/#'];

// Bounded so a stream of unique topics cannot grow memory; clearing is cheaper than LRU upkeep.
const RECEIVE_CACHE_SIZE = 10_000;

interface AccountSets {
  read: FilterSet;
  write: FilterSet;
}

/** Compiles the ACL of a config. Cheap to call; the broker calls it again on reload. */
export function compileAcl(config: AclConfig): Acl {
  const read = compileFilters(config.anonymous.read);
  const write = compileFilters(config.anonymous.write);
  const deny = compileFilters(config.anonymous.deny);
  const leak = compileFilters(CLIENT_ID_LEAK_FILTERS);
  const accountSets = new WeakMap<Account, AccountSets>();
  const setsOf = (account: Account): AccountSets => {
    let sets = accountSets.get(account);
    if (sets === undefined) {
      sets = { read: compileFilters(account.read), write: compileFilters(account.write) };
      accountSets.set(account, sets);
    }
    return sets;
  };
  const owners = compileClientIds(config.accounts);
  const receiveCache = new Map<string, boolean>();
  // Refused payloads' excerpts: readable by validation.details' accounts only, never anonymously.
  const details = config.validation?.details ?? { readers: [], publisher: false };
  const detailReaders = new Set(details.readers);
  const detailTree = compileFilters([INVALID_DETAIL_FILTER]);
  const readsAllDetails = (account: Account | undefined): boolean =>
    account !== undefined && detailReaders.has(account.name);
  const detailReadable = (account: Account | undefined, topic: string): boolean => {
    if (account === undefined) return false;
    if (detailReaders.has(account.name)) return true;
    if (!details.publisher) return false;
    // `$firehose/invalid-detail/<service>/<publisher level>`: the account's own records only.
    const rest = topic.slice(INVALID_DETAIL_PREFIX.length);
    const slash = rest.indexOf('/');
    return slash > 0 && rest.slice(slash + 1) === publisherLevel(account.name);
  };
  const isDetail = (topic: string): boolean =>
    topic.startsWith(INVALID_DETAIL_PREFIX) || topic === INVALID_DETAIL_PREFIX.slice(0, -1);

  return {
    canPublish(account, topic) {
      if (topic.startsWith('$')) return false;
      return write.matches(topic) || (account !== undefined && setsOf(account).write.matches(topic));
    },
    canSubscribe(account, filter) {
      // Wholly inside the detail tree: only accounts validation.details names, whatever read says.
      // A filter that only overlaps it (`$firehose/#`) is decided below; canReceive drops the details.
      if (detailTree.covers(filter))
        return readsAllDetails(account) || (account !== undefined && details.publisher);
      if (account !== undefined && setsOf(account).read.covers(filter)) return true;
      return read.covers(filter) && !deny.covers(filter) && !leak.covers(filter);
    },
    canReceive(account, topic) {
      if (isDetail(topic)) return detailReadable(account, topic);
      if (account !== undefined && setsOf(account).read.matches(topic)) return true;
      // Firehose topics repeat (one per project and event), so the anonymous answer is cached.
      let allowed = receiveCache.get(topic);
      if (allowed === undefined) {
        allowed =
          !(topic.startsWith('$SYS/') && leak.matches(topic)) &&
          !(!deny.empty && deny.matches(topic)) &&
          read.matches(topic);
        if (receiveCache.size >= RECEIVE_CACHE_SIZE) receiveCache.clear();
        receiveCache.set(topic, allowed);
      }
      return allowed;
    },
    needsReceiveCheck(account, filter) {
      // Even for a reader: a reload may take the right away from a connected client.
      if (detailTree.overlaps(filter)) return true;
      if (account !== undefined && setsOf(account).read.covers(filter)) return false;
      return deny.overlaps(filter) || leak.overlaps(filter) || !read.covers(filter);
    },
    clientIdAllowed(clientId, account) {
      const owner = owners(clientId);
      return owner === undefined || owner === account?.name;
    },
    clientIdOwner: owners,
  };
}

/**
 * Maps a client id to the account reserving it: an exact id wins over a prefix, and a longer
 * prefix over a shorter one (`gerrit-*` and `gerrit-replica-*` both match `gerrit-replica-1`).
 */
function compileClientIds(accounts: Record<string, Account>): (clientId: string) => string | undefined {
  const exact = new Map<string, string>();
  const prefixes: { prefix: string; account: string }[] = [];
  for (const account of Object.values(accounts)) {
    for (const pattern of account.clientIds) {
      if (pattern.endsWith('*')) prefixes.push({ prefix: pattern.slice(0, -1), account: account.name });
      else exact.set(pattern, account.name);
    }
  }
  prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  return (clientId) => {
    if (clientId === '') return undefined;
    const owner = exact.get(clientId);
    if (owner !== undefined) return owner;
    return prefixes.find((p) => clientId.startsWith(p.prefix))?.account;
  };
}

const cache = new WeakMap<AclConfig, Acl>();

function aclOf(config: AclConfig): Acl {
  let acl = cache.get(config);
  if (acl === undefined) {
    acl = compileAcl(config);
    cache.set(config, acl);
  }
  return acl;
}

/** `compileAcl(config).canPublish`, compiled once per config object. */
export function canPublish(account: Account | undefined, topic: string, config: AclConfig): boolean {
  return aclOf(config).canPublish(account, topic);
}

/** `compileAcl(config).canSubscribe`, compiled once per config object. */
export function canSubscribe(account: Account | undefined, filter: string, config: AclConfig): boolean {
  return aclOf(config).canSubscribe(account, filter);
}

/** `compileAcl(config).canReceive`, compiled once per config object. */
export function canReceive(account: Account | undefined, topic: string, config: AclConfig): boolean {
  return aclOf(config).canReceive(account, topic);
}

/** `compileAcl(config).clientIdAllowed`, compiled once per config object. */
export function clientIdAllowed(clientId: string, account: Account | undefined, config: AclConfig): boolean {
  return aclOf(config).clientIdAllowed(clientId, account);
}
