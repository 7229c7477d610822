import type { PersistenceConfig, RedisEndpoint } from './types.js';

/** What `persistence` accepts, as it reads after "must be" (the option table and errors share it). */
export const PERSISTENCE_EXPECT =
  '"memory", "level:DIR", "redis://HOST:PORT[/DB]" or "redis-sentinel://HOST:PORT[,HOST:PORT…]/MASTER[/DB]"';

const SENTINEL_PREFIX = 'redis-sentinel://';
const SENTINEL_PORT = 26379;

/**
 * Parses `memory`, `level:DIR`, `redis://[user:pass@]host[:port][/db]` (`rediss://` for TLS) or
 * `redis-sentinel://[user:pass@]host[:port],host[:port]…/master[/db]`.
 * Returns a sentence fragment describing what is wrong instead of throwing, so config validation
 * can collect every problem.
 */
export function parsePersistence(value: string): PersistenceConfig | string {
  if (value === 'memory') return { kind: 'memory' };
  if (value.startsWith('level:')) {
    const path = value.slice('level:'.length);
    if (path === '') return 'needs a directory after "level:", e.g. "level:./data"';
    return { kind: 'level', path };
  }
  if (value.startsWith(SENTINEL_PREFIX)) return parseSentinelSet(value);
  if (value.startsWith('redis://') || value.startsWith('rediss://')) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'is not a valid redis URL; write "redis://HOST:PORT/DB"';
    }
    if (url.hostname === '') return 'needs a host, e.g. "redis://127.0.0.1:6379"';
    const port = url.port === '' ? 6379 : Number(url.port);
    const dbText = url.pathname.replace(/^\//, '');
    if (!/^\d*$/.test(dbText))
      return `has database "${dbText}"; the path must be a database number, e.g. "redis://127.0.0.1:6379/0"`;
    const config: PersistenceConfig = {
      kind: 'redis',
      url: value,
      // URL keeps IPv6 brackets; redis clients want the bare address.
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port,
      db: dbText === '' ? 0 : Number(dbText),
      tls: url.protocol === 'rediss:',
    };
    if (url.username !== '') config.username = decodeURIComponent(url.username);
    if (url.password !== '') config.password = decodeURIComponent(url.password);
    return config;
  }
  return `must be ${PERSISTENCE_EXPECT}`;
}

const EXAMPLE = 'e.g. "redis-sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster"';

/**
 * A sentinel set is not a WHATWG URL (its authority is a comma-separated list), so it is split by
 * hand: `[user:pass@]` applies to the redis nodes the sentinels name, not to the sentinels.
 */
function parseSentinelSet(value: string): PersistenceConfig | string {
  const rest = value.slice(SENTINEL_PREFIX.length);
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? [] : rest.slice(slash + 1).split('/');
  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? undefined : authority.slice(0, at);
  const hostList = at === -1 ? authority : authority.slice(at + 1);
  const sentinels: RedisEndpoint[] = [];
  for (const item of hostList.split(',')) {
    const endpoint = parseEndpoint(item.trim());
    if (typeof endpoint === 'string') return endpoint;
    sentinels.push(endpoint);
  }
  const [name = '', dbText = '', ...extra] = path;
  if (name === '') return `needs the master name after the sentinels, ${EXAMPLE}`;
  if (extra.length > 0 || !/^\d*$/.test(dbText))
    return `has path "/${path.join('/')}"; after the sentinels write "/MASTER" or "/MASTER/DB" (DB a number), ${EXAMPLE}`;
  const config: PersistenceConfig = {
    kind: 'redis',
    url: value,
    sentinels,
    name: decodeURIComponent(name),
    db: dbText === '' ? 0 : Number(dbText),
    tls: false,
  };
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    const username = colon === -1 ? userinfo : userinfo.slice(0, colon);
    if (username !== '') config.username = decodeURIComponent(username);
    if (colon !== -1 && colon < userinfo.length - 1)
      config.password = decodeURIComponent(userinfo.slice(colon + 1));
  }
  return config;
}

function parseEndpoint(text: string): RedisEndpoint | string {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(text);
  if (text === '' || match === null)
    return `has sentinel "${text}"; each sentinel must be HOST or HOST:PORT (IPv6 in brackets), ${EXAMPLE}`;
  const port = match[3] === undefined ? SENTINEL_PORT : Number(match[3]);
  if (port < 1 || port > 65_535) return `has sentinel "${text}" with port ${port}; a port is 1–65535`;
  return { host: match[1] ?? match[2]!, port };
}

/** The persistence URL with any password replaced by `***`. */
export function maskPersistence(config: PersistenceConfig): string {
  switch (config.kind) {
    case 'memory':
      return 'memory';
    case 'level':
      return `level:${config.path}`;
    case 'redis': {
      if (config.password === undefined) return config.url;
      if (config.sentinels !== undefined) {
        const slash = config.url.indexOf('/', SENTINEL_PREFIX.length);
        const at = config.url.lastIndexOf('@', slash === -1 ? config.url.length : slash);
        const user = config.username === undefined ? '' : encodeURIComponent(config.username);
        return `${SENTINEL_PREFIX}${user}:***${config.url.slice(at)}`;
      }
      const url = new URL(config.url);
      url.password = '***';
      return url.toString();
    }
  }
}
