import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, hashPassword, type BrokerConfigInput, type FirehoseBroker } from '../src/index.js';
import { client, connectCollecting, sleep, startBrokerProcess, waitFor } from './helpers.js';
import { freePort } from '@firehose/test-support';
import { startRedis } from './redis-server.js';

let redis: Awaited<ReturnType<typeof startRedis>>;
let password: string;
const nodes: FirehoseBroker[] = [];
const HEARTBEAT = 200;

beforeAll(async () => {
  redis = await startRedis();
  password = await hashPassword('pw');
});
afterAll(async () => {
  for (const node of nodes) await node.close();
  await redis.stop();
});

function clusterConfig(db: number, limits: BrokerConfigInput['limits'] = {}): BrokerConfigInput {
  return {
    listeners: { mqtt: { host: '127.0.0.1', port: 0 } },
    accounts: { load: { password, write: ['load/#'] } },
    persistence: `${redis.url}/${db}`,
    catalogue: { interval: 0 },
    sys: { interval: 0 },
    limits,
  };
}

async function node(db: number, limits: BrokerConfigInput['limits'] = {}): Promise<FirehoseBroker> {
  const broker = await createBroker(clusterConfig(db, limits), { heartbeatIntervalMs: HEARTBEAT });
  nodes.push(broker);
  await broker.listen();
  return broker;
}

describe('cluster over redis', () => {
  it('delivers a message published on node A to a subscriber on node B', async () => {
    const a = await node(1);
    const b = await node(1);
    const sub = await connectCollecting(b.url('mqtt')!);
    await sub.client.subscribeAsync('load/#', { qos: 1 });
    const pub = await client(a.url('mqtt')!, { username: 'load', password: 'pw' });
    await pub.publishAsync('load/x', 'across', { qos: 1 });
    await waitFor(() => sub.seen.length === 1, 5000, 'the message on node B');
    expect(sub.seen[0]!.payload.toString()).toBe('across');
  });

  it('delivers a publisher’s pipelined QoS 1 stream from node A to a persistent session on node B in order, once each', async () => {
    const a = await node(4);
    const b = await node(4);
    const sub = await connectCollecting(b.url('mqtt')!, { clientId: 'across', clean: false });
    await sub.client.subscribeAsync('load/#', { qos: 1 });
    const pub = await client(a.url('mqtt')!, { username: 'load', password: 'pw' });
    const sent = Array.from({ length: 300 }, (_, i) => i);
    await Promise.all(sent.map((i) => pub.publishAsync('load/stream', String(i), { qos: 1 })));
    await waitFor(() => sub.seen.length >= sent.length, 10_000, 'the stream on node B').catch(
      () => undefined,
    );
    expect(sub.seen.map((m) => Number(m.payload.toString()))).toEqual(sent);
  });

  it('hands a persistent session’s queue to the node it reconnects to', async () => {
    const a = await node(2);
    const b = await node(2);
    const first = await connectCollecting(a.url('mqtt')!, { clientId: 'roaming', clean: false });
    await first.client.subscribeAsync('load/#', { qos: 1 });
    await first.client.endAsync();
    const pub = await client(a.url('mqtt')!, { username: 'load', password: 'pw' });
    for (let i = 0; i < 3; i++) await pub.publishAsync(`load/${i}`, `q${i}`, { qos: 1 });
    const back = await connectCollecting(b.url('mqtt')!, { clientId: 'roaming', clean: false });
    await waitFor(() => back.seen.length === 3, 5000, 'the queued messages on node B');
    expect(back.seen.map((m) => m.payload.toString()).sort()).toEqual(['q0', 'q1', 'q2']);
  });

  // Expiry clocks live in redis: a node knows nothing of the sessions that went away before it started.
  it('expires a persistent session that never returns after the whole cluster restarted', async () => {
    const first = await node(5, { sessionExpiry: 1 });
    const gone = await connectCollecting(first.url('mqtt')!, { clientId: 'gone', clean: false });
    await gone.client.subscribeAsync('load/#', { qos: 1 });
    await gone.client.endAsync();
    await first.close();

    const second = await node(5, { sessionExpiry: 1 });
    await waitFor(() => second.stats.droppedCount('sessions_expired') === 1, 5000, 'the session to expire');
    const pub = await client(second.url('mqtt')!, { username: 'load', password: 'pw' });
    await pub.publishAsync('load/x', 'after expiry', { qos: 1 });
    const back = await connectCollecting(second.url('mqtt')!, { clientId: 'gone', clean: false });
    await sleep(200);
    expect(back.seen).toEqual([]);
  });

  it('does not expire a session that stays connected to a node started before this one', async () => {
    const a = await node(6, { sessionExpiry: 1 });
    const staying = await connectCollecting(a.url('mqtt')!, { clientId: 'staying', clean: false });
    await staying.client.subscribeAsync('load/#', { qos: 1 });
    const b = await node(6, { sessionExpiry: 1 });
    await sleep(2500); // five sweeps on each node
    expect(a.stats.droppedCount('sessions_expired') + b.stats.droppedCount('sessions_expired')).toBe(0);

    // The session is whole: it still queues while its client is away.
    await staying.client.endAsync();
    const pub = await client(b.url('mqtt')!, { username: 'load', password: 'pw' });
    await pub.publishAsync('load/kept', 'queued', { qos: 1 });
    const back = await connectCollecting(b.url('mqtt')!, { clientId: 'staying', clean: false });
    await waitFor(() => back.seen.length === 1, 5000, 'the queued message');
  });

  // ioredis reports every failed reconnect as an `error` event; unheard, one redis restart
  // crashed every node.
  it('rides out a redis restart: stays up, is not ready meanwhile, delivers across nodes again after', async () => {
    const own = await startRedis();
    const config = (): BrokerConfigInput => ({
      ...clusterConfig(0),
      persistence: `${own.url}/0`,
      listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } },
    });
    const start = async () => {
      const broker = await createBroker(config(), { heartbeatIntervalMs: HEARTBEAT });
      nodes.push(broker);
      await broker.listen();
      return broker;
    };
    const a = await start();
    const b = await start();
    const readyz = async () => (await fetch(`${a.url('http')!}/readyz`)).status;
    const sub = await connectCollecting(b.url('mqtt')!);
    await sub.client.subscribeAsync('load/#', { qos: 1 });
    const pub = await client(a.url('mqtt')!, { username: 'load', password: 'pw' });

    await own.stop();
    await waitFor(async () => (await readyz()) === 503, 5000, 'node A to report not ready');
    await sleep(500); // reconnect attempts fail meanwhile
    const back = await startRedis(own.port);
    try {
      await waitFor(async () => (await readyz()) === 200, 10_000, 'node A to be ready again');
      await pub.publishAsync('load/x', 'after the restart', { qos: 1 });
      await waitFor(() => sub.seen.length === 1, 10_000, 'the message on node B');
      expect(sub.seen[0]!.payload.toString()).toBe('after the restart');
    } finally {
      for (const node of [a, b]) await node.close();
      await back.stop();
    }
  });

  it('a node started while redis is down waits for it, then serves; closed while waiting, it stops', async () => {
    const port = await freePort();
    const config = (): BrokerConfigInput => ({
      ...clusterConfig(0),
      persistence: `redis://127.0.0.1:${port}/0`,
    });
    const waiting = await createBroker(config(), { heartbeatIntervalMs: HEARTBEAT });
    nodes.push(waiting);
    let listening = false;
    const started = waiting.listen().then(() => (listening = true));
    await sleep(1000); // several failed connection attempts
    expect(listening).toBe(false);
    const late = await startRedis(port);
    try {
      await started;
      const sub = await connectCollecting(waiting.url('mqtt')!);
      await sub.client.subscribeAsync('load/#', { qos: 1 });
      const pub = await client(waiting.url('mqtt')!, { username: 'load', password: 'pw' });
      await pub.publishAsync('load/x', 'once redis answered', { qos: 1 });
      await waitFor(() => sub.seen.length === 1, 5000, 'the message');
    } finally {
      await waiting.close();
      await late.stop();
    }

    const abandoned = await createBroker(config(), { heartbeatIntervalMs: HEARTBEAT });
    const never = abandoned.listen();
    await sleep(300);
    await abandoned.close();
    await expect(never).rejects.toThrow('broker closed before it was listening');
    expect(abandoned.url('mqtt')).toBeUndefined();
  });

  it('publishes the will of a client whose node is killed', async () => {
    const b = await node(3);
    const { child, url } = await startBrokerProcess(clusterConfig(3), HEARTBEAT);
    try {
      const watcher = await connectCollecting(b.url('mqtt')!);
      await watcher.client.subscribeAsync('load/will', { qos: 1 });
      await client(url, {
        username: 'load',
        password: 'pw',
        clientId: 'mortal',
        will: { topic: 'load/will', payload: Buffer.from('node died'), qos: 1, retain: false },
      });
      child.kill('SIGKILL');
      await waitFor(() => watcher.seen.length === 1, 10_000, 'the will from the surviving node');
      expect(watcher.seen[0]!.payload.toString()).toBe('node died');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
