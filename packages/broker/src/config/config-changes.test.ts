import { describe, expect, it } from 'vitest';
import { configChanges } from './config-changes.js';
import { resolveConfig } from './resolve-config.js';

const HASH = 'scrypt$1024$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==';
const HASH2 = 'scrypt$1024$8$1$c2FsdHNhbHQ=$b3RoZXJvdGhlcm90aGVyb3RoZXI=';

describe('configChanges', () => {
  const base = {
    listeners: { mqtt: { port: 1883 }, wss: { port: 8443, cert: '/tls/a.pem', key: '/tls/a.key' } },
    accounts: { gerrit: { password: HASH, write: ['gerrit/#'] } },
  };

  it('finds nothing between equal configs', () => {
    expect(configChanges(resolveConfig(base), resolveConfig(base))).toEqual({
      changed: [],
      live: [],
      restart: [],
    });
  });

  it('accounts, ACLs, limits and TLS files are live; listener addresses and persistence need a restart', () => {
    const next = resolveConfig({
      listeners: { mqtt: { port: 1884 }, wss: { port: 8443, cert: '/tls/b.pem', key: '/tls/a.key' } },
      accounts: { gerrit: { password: [HASH, HASH2], write: ['gerrit/#'] }, zuul: { password: HASH } },
      anonymous: { deny: ['private/#'] },
      limits: { inflight: 5 },
      persistence: 'level:/data',
    });
    const changes = configChanges(resolveConfig(base), next);
    expect(changes.live.sort()).toEqual(
      [
        'accounts.gerrit',
        'accounts.zuul',
        'anonymous.deny',
        'limits.inflight',
        'listeners.wss[0].cert',
      ].sort(),
    );
    expect(changes.restart.sort()).toEqual(['listeners.mqtt[0].port', 'persistence'].sort());
  });

  it('an added listener needs a restart', () => {
    const next = resolveConfig({
      ...base,
      listeners: { ...base.listeners, mqtt: [{ port: 1883 }, { port: 1884, payload: 'data' }] },
    });
    expect(configChanges(resolveConfig(base), next).restart).toEqual(['listeners.mqtt[1]']);
  });
});
