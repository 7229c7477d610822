import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { printConfig } from './print-config.js';
import { resolveConfig } from './resolve-config.js';

const SALT = 'c2FsdHNhbHQ=';
const HASH = `scrypt$1024$8$1$${SALT}$aGFzaGhhc2hoYXNoaGFzaA==`;
const KEY = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('printConfig', () => {
  it('masks password hashes, inline TLS keys and the Redis password', () => {
    const text = printConfig(
      resolveConfig({
        listeners: {
          mqtts: { cert: CERT, key: KEY },
          wss: { cert: '/etc/tls/cert.pem', key: '/etc/tls/key.pem' },
        },
        accounts: { gerrit: { password: [HASH, HASH], write: ['gerrit/#'] } },
        persistence: 'redis://:hunter2@10.0.0.5:6379/0',
      }),
    );
    expect(text).not.toContain(SALT);
    expect(text).not.toContain('aGFzaGhh');
    expect(text).not.toContain('c2VjcmV0LWtleS1ieXRlcw');
    expect(text).not.toContain('hunter2');
    const printed = parse(text) as {
      accounts: { gerrit: { password: string[] } };
      listeners: Record<string, Record<string, unknown>>;
      persistence: string;
    };
    expect(printed.accounts.gerrit.password).toEqual(['scrypt$1024$8$1$***', 'scrypt$1024$8$1$***']);
    expect(printed.listeners.mqtts).toMatchObject({ key: '***', cert: '(inline PEM)' });
    // Paths are not secrets; the key file's content is never read here.
    expect(printed.listeners.wss).toMatchObject({ key: '/etc/tls/key.pem', cert: '/etc/tls/cert.pem' });
    expect(printed.persistence).toBe('redis://:***@10.0.0.5:6379/0');
    expect(text.startsWith('# Effective firehose broker config (secrets masked)\n')).toBe(true);
  });

  it("masks the deep archive's PostgreSQL password", () => {
    const text = printConfig(
      resolveConfig({
        persistence: 'redis://127.0.0.1:6379',
        history: { postgres: 'postgres://firehose:hunter2@db:5432/history' },
      }),
    );
    expect(text).not.toContain('hunter2');
    expect((parse(text) as { history: { postgres: string } }).history.postgres).toBe(
      'postgres://firehose:***@db:5432/history',
    );
  });

  it('masks the Redis password of a Sentinel set, and the masked set still parses to the same sentinels', () => {
    const printed = parse(
      printConfig(resolveConfig({ persistence: 'redis-sentinel://app:hun%40ter2@h1:26379,h2/main/1' })),
    ) as {
      persistence: string;
    };
    expect(printed.persistence).toBe('redis-sentinel://app:***@h1:26379,h2/main/1');
    expect(resolveConfig({ persistence: printed.persistence }).persistence).toMatchObject({
      sentinels: [{ host: 'h1' }, { host: 'h2' }],
      db: 1,
    });
  });

  it('without secrets, prints a config file that loads back to the same config', () => {
    const config = resolveConfig({
      listeners: { mqtt: [{ port: 1883 }, { port: 1884, payload: 'data' }], ws: { path: '/ws' }, http: {} },
      anonymous: { deny: ['private/#'] },
      validation: { undeclared: 'reject', services: { ansible: { enabled: false } } },
      persistence: 'level:/var/lib/firehose',
      limits: { maxConnections: 5 },
      trustProxy: true,
      log: { level: 'debug' },
    });
    expect(resolveConfig(parse(printConfig(config)) as never)).toEqual(config);
    expect(resolveConfig(parse(printConfig(resolveConfig())) as never)).toEqual(resolveConfig());
  });
});
