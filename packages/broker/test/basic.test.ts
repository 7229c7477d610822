import { describe, expect, it } from 'vitest';
import { hashPassword } from '../src/index.js';
import { client, collect, gerritCommentAdded, startBroker, waitFor } from './helpers.js';

const accounts = async () => ({
  gerrit: { password: await hashPassword('gerrit-pw'), write: ['gerrit/#'] },
  zuul: { password: await hashPassword('zuul-pw'), write: ['zuul/#'] },
});

describe('createBroker', () => {
  it('delivers a gerrit envelope from the gerrit account to anonymous # subscribers over TCP and WS', async () => {
    const broker = await startBroker({ accounts: await accounts() });
    expect(broker.url('mqtt')).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(broker.url('ws')).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    const tcp = await client(broker.url('mqtt')!);
    const ws = await client(broker.url('ws')!);
    await tcp.subscribeAsync('#', { qos: 1 });
    await ws.subscribeAsync('#', { qos: 1 });
    const seenTcp = collect(tcp);
    const seenWs = collect(ws);
    const publisher = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'gerrit-pw' });
    const event = gerritCommentAdded();
    await publisher.publishAsync('gerrit/openstack/nova/comment-added', JSON.stringify(event), { qos: 1 });
    await waitFor(() => seenTcp.length === 1 && seenWs.length === 1, 5000, 'both deliveries');
    for (const seen of [seenTcp, seenWs]) {
      expect(seen[0]!.topic).toBe('gerrit/openstack/nova/comment-added');
      expect(JSON.parse(seen[0]!.payload.toString())).toEqual(event);
    }
  });

  it('refuses anonymous publishing and restricted topics, and wrong passwords', async () => {
    const broker = await startBroker({ accounts: await accounts(), catalogue: { interval: 0 } });
    const reader = await client(broker.url('mqtt')!);
    await reader.subscribeAsync(['#', '$SYS/#', '$firehose/#'], { qos: 0 });
    const seen = collect(reader);

    const anonymous = await client(broker.url('mqtt')!);
    const closed = new Promise<void>((resolve) => anonymous.once('close', () => resolve()));
    anonymous.publish('gerrit/x/comment-added', 'nope');
    await closed;

    const zuul = await client(broker.url('mqtt')!, { username: 'zuul', password: 'zuul-pw' });
    const zuulClosed = new Promise<void>((resolve) => zuul.once('close', () => resolve()));
    zuul.publish('gerrit/x/comment-added', 'not yours');
    await zuulClosed;

    const gerrit = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'gerrit-pw' });
    const gerritClosed = new Promise<void>((resolve) => gerrit.once('close', () => resolve()));
    gerrit.publish('$firehose/catalogue/x', 'forged');
    await gerritClosed;

    await expect(client(broker.url('mqtt')!, { username: 'gerrit', password: 'wrong' })).rejects.toThrow(
      /Bad username or password/i,
    );
    // Only the broker's own records may arrive: $SYS and its retained description of site services.
    const own = (topic: string): boolean => topic.startsWith('$SYS/') || topic === '$firehose/services';
    expect(seen.filter((m) => !own(m.topic))).toEqual([]);
    expect(broker.stats.droppedCount('acl_publish')).toBe(3);
    expect(broker.stats.droppedCount('auth_failed')).toBe(1);
  });

  it('closes with clients still connected: stops accepting, disconnects them, resolves', async () => {
    const broker = await startBroker({
      listeners: {
        mqtt: { host: '127.0.0.1', port: 0 },
        ws: { host: '127.0.0.1', port: 0 },
        http: { host: '127.0.0.1', port: 0 },
      },
    });
    const tcp = await client(broker.url('mqtt')!);
    const ws = await client(broker.url('ws')!);
    const closed = Promise.all(
      [tcp, ws].map((c) => new Promise<void>((resolve) => c.once('close', () => resolve()))),
    );
    const events: string[] = [];
    broker.on('closed', () => events.push('closed'));
    await broker.close();
    await closed;
    expect(events).toEqual(['closed']);
    await expect(
      client(broker.url('mqtt') ?? 'mqtt://127.0.0.1:1', { connectTimeout: 500 }),
    ).rejects.toThrow();
  });
});
