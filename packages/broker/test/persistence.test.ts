import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/index.js';
import { client, connectCollecting, sleep, startBroker, waitFor } from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory for `level:` persistence, removed after the file's tests. */
function levelDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'firehose-level-'));
  dirs.push(dir);
  return dir;
}

const accounts = async () => ({ load: { password: await hashPassword('pw'), write: ['load/#'] } });

describe('persistence and sessions', () => {
  it('keeps a persistent QoS 1 session’s messages across a restart with level persistence', async () => {
    const dir = levelDir();
    const config = { accounts: await accounts(), persistence: `level:${dir}` };
    const first = await startBroker(config);
    const sub = await connectCollecting(first.url('mqtt')!, { clientId: 'durable', clean: false });
    await sub.client.subscribeAsync('load/#', { qos: 1 });
    await sub.client.endAsync();
    const pub = await client(first.url('mqtt')!, { username: 'load', password: 'pw' });
    for (let i = 0; i < 3; i++) await pub.publishAsync(`load/${i}`, `m${i}`, { qos: 1 });
    await pub.endAsync();
    await first.close();

    const second = await startBroker(config);
    const back = await connectCollecting(second.url('mqtt')!, { clientId: 'durable', clean: false });
    await waitFor(() => back.seen.length === 3, 5000, 'the queued messages after restart');
    expect(back.seen.map((m) => m.payload.toString()).sort()).toEqual(['m0', 'm1', 'm2']);
    expect(back.seen.every((m) => m.qos === 1)).toBe(true);
  });

  it('removes persistent sessions abandoned for longer than limits.sessionExpiry', async () => {
    const broker = await startBroker({ accounts: await accounts(), limits: { sessionExpiry: 1 } });
    const sub = await connectCollecting(broker.url('mqtt')!, { clientId: 'abandoned', clean: false });
    await sub.client.subscribeAsync('load/#', { qos: 1 });
    await sub.client.endAsync();
    const pub = await client(broker.url('mqtt')!, { username: 'load', password: 'pw' });
    await pub.publishAsync('load/x', 'queued before expiry', { qos: 1 });
    await waitFor(() => broker.stats.droppedCount('sessions_expired') === 1, 5000, 'the session to expire');
    await pub.publishAsync('load/x', 'after expiry', { qos: 1 });
    const back = await connectCollecting(broker.url('mqtt')!, { clientId: 'abandoned', clean: false });
    await sleep(200);
    expect(back.seen).toEqual([]);
  });

  it('expires a level-persisted session that never reconnects after a restart', async () => {
    const dir = levelDir();
    const config = { accounts: await accounts(), persistence: `level:${dir}` };
    const first = await startBroker(config);
    // An id with the characters the store's keys are built from.
    const sub = await connectCollecting(first.url('mqtt')!, { clientId: 'ci:worker/1', clean: false });
    await sub.client.subscribeAsync('load/#', { qos: 1 });
    await sub.client.endAsync();
    await first.close();

    const second = await startBroker({ ...config, limits: { sessionExpiry: 1 } });
    await waitFor(
      () => second.stats.droppedCount('sessions_expired') === 1,
      5000,
      'the restored session to expire',
    );
    const pub = await client(second.url('mqtt')!, { username: 'load', password: 'pw' });
    await pub.publishAsync('load/x', 'after expiry', { qos: 1 });
    const back = await connectCollecting(second.url('mqtt')!, { clientId: 'ci:worker/1', clean: false });
    await pub.publishAsync('load/y', 'while reconnected', { qos: 1 });
    await sleep(200);
    expect(back.seen).toEqual([]);
  });

  it('closes cleanly while a new subscription is still reading retained messages from level', async () => {
    const dir = levelDir();
    const broker = await startBroker({ accounts: await accounts(), persistence: `level:${dir}` });
    const pub = await client(broker.url('mqtt')!, { username: 'load', password: 'pw' });
    for (let i = 0; i < 500; i++) pub.publish(`load/${i}`, `retained ${i}`, { qos: 0, retain: true });
    await pub.publishAsync('load/last', 'x', { qos: 1, retain: true });
    const sub = await client(broker.url('mqtt')!);
    // Anything thrown outside a callback chain (the retained stream's error, unforwarded by pipe())
    // lands here; the broker's own errors on its 'error' event.
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    const internal: Error[] = [];
    broker.on('error', (error) => internal.push(error));
    try {
      await sub.subscribeAsync('load/#', { qos: 0 });
      // The store closes under the retained stream.
      await broker.close();
      await waitFor(() => !sub.connected, 5000, 'the subscriber disconnected');
      await sleep(100); // an error of the stream's last read surfaces on a later tick
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
    expect(internal.filter((error) => !/closed|not open/i.test(error.message))).toEqual([]);
  });

  it('caps persistent sessions per IP address', async () => {
    const broker = await startBroker({ limits: { maxSessionsPerIp: 2 } });
    await client(broker.url('mqtt')!, { clientId: 's1', clean: false });
    await client(broker.url('mqtt')!, { clientId: 's2', clean: false });
    await expect(client(broker.url('mqtt')!, { clientId: 's3', clean: false })).rejects.toThrow(
      /Not authorized/i,
    );
    // Reconnecting an existing session and clean sessions still work.
    await client(broker.url('mqtt')!, { clientId: 's1', clean: false });
    await client(broker.url('mqtt')!, { clientId: 'c1', clean: true });
    expect(broker.stats.droppedCount('sessions_per_ip')).toBe(1);
  });
});

describe('offline cap', () => {
  it('queues at most limits.maxOfflineMessages for an offline persistent session', async () => {
    const broker = await startBroker({ accounts: await accounts(), limits: { maxOfflineMessages: 5 } });
    const sub = await connectCollecting(broker.url('mqtt')!, { clientId: 'capped', clean: false });
    await sub.client.subscribeAsync('load/#', { qos: 1 });
    await sub.client.endAsync();
    const pub = await client(broker.url('mqtt')!, { username: 'load', password: 'pw' });
    for (let i = 0; i < 8; i++) await pub.publishAsync(`load/${i}`, `m${i}`, { qos: 1 });
    const back = await connectCollecting(broker.url('mqtt')!, { clientId: 'capped', clean: false });
    await waitFor(() => back.seen.length === 5, 5000, 'the capped queue');
    await sleep(200);
    expect(back.seen.map((m) => m.payload.toString())).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(broker.stats.droppedCount('offline_cap')).toBe(3);
    // Once delivered and acknowledged, the session has room again.
    await pub.publishAsync('load/9', 'm9', { qos: 1 });
    await waitFor(() => back.seen.length === 6, 5000, 'a live message after the queue drained');
  });
});
