import type { PersistenceConfig } from './types.js';

/**
 * Parses `memory`, `level:DIR` or `redis://[user:pass@]host[:port][/db]` (`rediss://` for TLS).
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
  return 'must be "memory", "level:DIR" or "redis://HOST:PORT[/DB]"';
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
      const url = new URL(config.url);
      url.password = '***';
      return url.toString();
    }
  }
}
