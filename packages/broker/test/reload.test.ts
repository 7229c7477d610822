import { describe, expect, it } from 'vitest';
import { hashPassword } from '../src/index.js';
import { client, RawClient, startBroker } from './helpers.js';

describe('reload and connection rate', () => {
  it('swaps accounts on reload without dropping connected clients', async () => {
    const broker = await startBroker({
      accounts: { gerrit: { password: await hashPassword('old'), write: ['gerrit/#'] } },
    });
    const connected = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'old' });
    const changes = broker.reload({
      listeners: { mqtt: { host: '127.0.0.1', port: 1 } }, // a new address needs a restart: reported, not applied
      accounts: { gerrit: { password: await hashPassword('new'), write: ['gerrit/#'] } },
    });
    expect(changes.live).toContain('accounts.gerrit');
    expect(changes.restart.some((path) => path.startsWith('listeners.'))).toBe(true);
    await expect(client(broker.url('mqtt')!, { username: 'gerrit', password: 'old' })).rejects.toThrow(
      /Bad username or password/i,
    );
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

describe('PROXY protocol', () => {
  it('takes the client address from a PROXY v1 header when trustProxy.proxyProtocol is on', async () => {
    const broker = await startBroker({
      trustProxy: { proxyProtocol: true },
      limits: { maxConnectionsPerIp: 1 },
    });
    const ips: string[] = [];
    broker.on('clientConnected', ({ ip }) => ips.push(ip));
    const raw = await RawClient.open(broker.address('mqtt')!.port);
    raw.socket.write('PROXY TCP4 203.0.113.7 127.0.0.1 5555 1883\r\n');
    expect((await raw.connack({ clientId: 'proxied' })).returnCode).toBe(0);
    expect(ips).toEqual(['203.0.113.7']);
    // Per-IP limits count the proxied address: a second client from 203.0.113.7 is refused.
    const second = await RawClient.open(broker.address('mqtt')!.port);
    second.socket.write('PROXY TCP4 203.0.113.7 127.0.0.1 5556 1883\r\n');
    await second.waitClosed();
    const other = await RawClient.open(broker.address('mqtt')!.port);
    other.socket.write('PROXY TCP4 198.51.100.1 127.0.0.1 5557 1883\r\n');
    expect((await other.connack({ clientId: 'other' })).returnCode).toBe(0);
    // Without a header the connection is closed.
    const bare = await RawClient.open(broker.address('mqtt')!.port);
    bare.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: 'bare',
      keepalive: 60,
    });
    await bare.waitClosed();
  });
});
