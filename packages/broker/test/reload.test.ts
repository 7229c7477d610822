import { describe, expect, it } from 'vitest';
import { hashPassword } from '../src/index.js';
import { client, RawClient, startBroker } from './helpers.js';

describe('reload and connection rate', () => {
  it('swaps accounts on reload without dropping connected clients', async () => {
    const broker = await startBroker({ accounts: { gerrit: { password: await hashPassword('old'), write: ['gerrit/#'] } } });
    const connected = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'old' });
    const changes = broker.reload({
      listeners: { mqtt: { host: '127.0.0.1', port: 1 } }, // a new address needs a restart: reported, not applied
      accounts: { gerrit: { password: await hashPassword('new'), write: ['gerrit/#'] } },
    });
    expect(changes.live).toContain('accounts.gerrit');
    expect(changes.restart.some((path) => path.startsWith('listeners.'))).toBe(true);
    await expect(client(broker.url('mqtt')!, { username: 'gerrit', password: 'old' })).rejects.toThrow(/Bad username or password/i);
    await client(broker.url('mqtt')!, { username: 'gerrit', password: 'new' });
    expect(connected.connected).toBe(true);
    await connected.publishAsync('gerrit/x/brand-new', '{}', { qos: 1 });
  });

  it('refuses connections above limits.connectionRatePerIp per minute', async () => {
    const broker = await startBroker({ limits: { connectionRatePerIp: 3 } });
    for (let i = 0; i < 3; i++) {
      const raw = await RawClient.open(broker.address('mqtt')!.port);
      expect((await raw.connack({ clientId: `r${i}` })).returnCode).toBe(0);
    }
    const refused = await RawClient.open(broker.address('mqtt')!.port);
    await refused.waitClosed();
    expect(broker.stats.droppedCount('connection_rate')).toBe(1);
  });
});
