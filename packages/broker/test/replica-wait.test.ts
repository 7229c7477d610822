import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, systemProgram } from '@firehose/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, type BrokerConfigInput } from '../src/index.js';
import { client, sleep, startBroker, waitFor } from './helpers.js';
import { startRedis } from './redis-server.js';

// redis.replicaWait: a QoS 1 PUBACK waits for a Redis replica to hold the message's store writes
// (src/replica-wait.ts). A primary and a replica of its own; the replica is stopped (SIGSTOP) to
// hold its acknowledgement back, and continued (SIGCONT).

let primary: Awaited<ReturnType<typeof startRedis>>;
let replicaPid: number;
let stopReplica: () => void;
let dir: string;
let password: string;

beforeAll(async () => {
  password = await hashPassword('pw');
  primary = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'firehose-replica-wait-'));
  const port = await freePort();
  const replica = spawn(
    systemProgram('redis-server'),
    [
      ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      ...['--replicaof', '127.0.0.1', String(primary.port)],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  stopReplica = () => {
    replica.kill('SIGCONT');
    replica.kill('SIGKILL');
  };
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the replica did not sync:\n${output}`)), 20_000);
    replica.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/MASTER <-> REPLICA sync: Finished with success/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  replicaPid = replica.pid!;
}, 60_000);

afterAll(async () => {
  stopReplica?.();
  await primary?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function config(persistence: string, replicaWait: number): BrokerConfigInput {
  return {
    listeners: { mqtt: { host: '127.0.0.1', port: 0 } },
    accounts: { load: { password, write: ['load/#'] } },
    persistence,
    redis: { replicaWait },
    catalogue: { interval: 0 },
    sys: { interval: 0 },
  };
}

/** Whether `promise` settled within `ms`. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    sleep(ms).then(() => false),
  ]);
}

describe('redis.replicaWait', () => {
  it('holds a QoS 1 PUBACK until the replica has the store writes behind it', async () => {
    const broker = await startBroker(config(`${primary.url}/3`, 30_000));
    const url = broker.url('mqtt')!;
    const sub = await client(url, { clientId: 'held-sub', clean: false });
    await sub.subscribeAsync('load/#', { qos: 1 });
    const pub = await client(url, { username: 'load', password: 'pw' });
    await pub.publishAsync('load/warm', 'w', { qos: 1 });

    process.kill(replicaPid, 'SIGSTOP');
    let acknowledged: Promise<unknown>;
    try {
      acknowledged = pub.publishAsync('load/held', 'h', { qos: 1 });
      expect(await settledWithin(acknowledged, 500)).toBe(false);
    } finally {
      process.kill(replicaPid, 'SIGCONT');
    }
    await acknowledged;
    expect(broker.stats.pubacksUnreplicated).toBe(0);
  });

  it('a Redis connection closed after the publish arrived: no PUBACK, the publisher reconnects and its resend is acknowledged', async () => {
    const broker = await startBroker(config(`${primary.url}/4`, 30_000));
    const url = broker.url('mqtt')!;
    const sub = await client(url, { clientId: 'refused-sub', clean: false });
    const received: string[] = [];
    sub.on('message', (_topic, payload) => received.push(payload.toString()));
    await sub.subscribeAsync('load/#', { qos: 1 });
    const pub = await client(url, {
      clientId: 'refused-pub',
      clean: false,
      username: 'load',
      password: 'pw',
      reconnectPeriod: 100,
    });
    let closes = 0;
    pub.on('close', () => closes++);

    process.kill(replicaPid, 'SIGSTOP');
    let acknowledged: Promise<unknown>;
    const admin = new Redis({ port: primary.port });
    try {
      acknowledged = pub.publishAsync('load/refused', 'r', { qos: 1 });
      await waitFor(() => received.includes('r'), 10_000, 'the message to be delivered');
      // Every store connection of the node closes (and reconnects): the WAIT it answers would no
      // longer vouch for writes made before.
      await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      await waitFor(() => broker.stats.droppedCount('replica_unconfirmed') > 0, 10_000, 'the refusal');
    } finally {
      process.kill(replicaPid, 'SIGCONT');
      admin.disconnect();
    }
    await acknowledged;
    expect(closes).toBeGreaterThan(0);
    expect(received.filter((payload) => payload === 'r').length).toBeGreaterThanOrEqual(1);
  });

  it('with no replica connected, acknowledges at once and counts it as unreplicated', async () => {
    const alone = await startRedis();
    try {
      const broker = await startBroker(config(alone.url, 30_000));
      const pub = await client(broker.url('mqtt')!, { username: 'load', password: 'pw' });
      await pub.publishAsync('load/alone', 'a', { qos: 1 });
      expect(broker.stats.pubacksUnreplicated).toBe(1);
      await pub.endAsync();
      await broker.close();
    } finally {
      await alone.stop();
    }
  });
});
