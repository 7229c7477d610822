import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, hashPassword, type BrokerConfigInput, type FirehoseBroker } from '../src/index.js';
import {
  client,
  connectCollecting,
  groupMembers,
  RawClient,
  startBrokerProcess,
  waitFor,
  type Received,
} from './helpers.js';
import { startRedis } from './redis-server.js';

const GROUP = '$share/workers/load/#';
let redis: Awaited<ReturnType<typeof startRedis>>;
let password: string;
const nodes: FirehoseBroker[] = [];

beforeAll(async () => {
  redis = await startRedis();
  password = await hashPassword('pw');
});
afterAll(async () => {
  for (const node of nodes) await node.close();
  await redis.stop();
});

function clusterConfig(db: number): BrokerConfigInput {
  return {
    listeners: { mqtt: { host: '127.0.0.1', port: 0 } },
    accounts: { load: { password, write: ['load/#'] } },
    persistence: `${redis.url}/${db}`,
    catalogue: { interval: 0 },
    sys: { interval: 0 },
  };
}

async function node(db: number, heartbeatIntervalMs: number): Promise<FirehoseBroker> {
  const broker = await createBroker(clusterConfig(db), { heartbeatIntervalMs });
  nodes.push(broker);
  await broker.listen();
  return broker;
}

const indexOf = (m: Received): number => Number.parseInt(m.payload.toString('utf8'), 10);

/** How many times each message index in `expected` arrived, over all the given collectors. */
function tally(
  expected: Iterable<number>,
  ...collected: Received[][]
): { missing: number; duplicates: number } {
  const seen = new Map<number, number>();
  for (const i of expected) seen.set(i, 0);
  for (const list of collected)
    for (const m of list) if (seen.has(indexOf(m))) seen.set(indexOf(m), seen.get(indexOf(m))! + 1);
  let missing = 0;
  let duplicates = 0;
  for (const n of seen.values()) {
    if (n === 0) missing++;
    duplicates += Math.max(0, n - 1);
  }
  return { missing, duplicates };
}

function figures(line: string): void {
  // The counts the closing note quotes; printed only on request.
  if (process.env.FIREHOSE_TEST_FIGURES) process.stdout.write(`${line}\n`);
}

/** Publishes `0..count-1` at QoS 1; the indices whose PUBACK came back. */
async function publishStream(publisher: MqttClient, count: number): Promise<Set<number>> {
  const acked = new Set<number>();
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      publisher.publishAsync(`load/${i % 7}`, String(i), { qos: 1 }).then(
        () => acked.add(i),
        () => undefined,
      ),
    ),
  );
  return acked;
}

describe('shared subscriptions on a redis cluster', () => {
  it('gives each QoS 1 message to one member of the group across two nodes, balanced, while a plain subscriber gets every one', async () => {
    const a = await node(1, 1000);
    const b = await node(1, 1000);
    const onA = await groupMembers(a.url('mqtt')!, GROUP, ['a-1', 'a-2']);
    const onB = await groupMembers(b.url('mqtt')!, GROUP, ['b-1']);
    const plain = await connectCollecting(b.url('mqtt')!, { clientId: 'plain' });
    await plain.client.subscribeAsync('load/#', { qos: 1 });
    // Both nodes know each other's members (one membership tick) before the stream starts.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const count = 5000;
    const all = [...onA, ...onB];
    const pub = await client(a.url('mqtt')!, { username: 'load', password: 'pw' });
    const acked = await publishStream(pub, count);
    expect(acked.size).toBe(count);
    await waitFor(
      () => all.reduce((n, m) => n + m.seen.length, 0) >= count && plain.seen.length >= count,
      60_000,
      'every delivery',
    );
    // Late claims (another node's, after the preferred one's) must not add copies.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const { missing, duplicates } = tally(acked, ...all.map((m) => m.seen));
    const shares = all.map((m) => m.seen.length);
    figures(
      `cluster group: ${count} messages over 2 nodes (2 + 1 members): shares ${shares.join(' / ')}, missing ${missing}, duplicates ${duplicates}`,
    );
    expect(missing).toBe(0);
    expect(duplicates).toBe(0);
    expect(tally(acked, plain.seen)).toEqual({ missing: 0, duplicates: 0 });
    // One member in three each, across nodes: the claim's slot hash weighs nodes by their members.
    for (const share of shares) expect(Math.abs(share - count / 3)).toBeLessThan((count / 3) * 0.25);
    const groups = [...a.sharedSubscriptions(), ...b.sharedSubscriptions()];
    expect(groups.reduce((n, g) => n + g.deliveries, 0)).toBe(count);
  });

  it('hands the messages in flight on a killed node to the survivor’s members: every acknowledged message reaches a member', async () => {
    const heartbeat = 300;
    const a = await node(2, heartbeat);
    const b = await startBrokerProcess(clusterConfig(2), heartbeat);
    try {
      const onA = await groupMembers(a.url('mqtt')!, GROUP, ['a-1', 'a-2']);
      // Members on B read but acknowledge nothing: every message B owns is in flight there when
      // it dies, and must reach a member on A.
      const onB = await Promise.all(
        ['b-1', 'b-2'].map(async (clientId) => {
          const raw = await RawClient.open(Number(new URL(b.url).port));
          await raw.connack({ clientId });
          raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: GROUP, qos: 1 }] });
          await raw.next('suback');
          return raw;
        }),
      );
      const receivedOnB = (): number =>
        onB.reduce((n, raw) => n + raw.packets.filter((p) => p.cmd === 'publish').length, 0);
      const plain = await connectCollecting(a.url('mqtt')!, { clientId: 'plain' });
      await plain.client.subscribeAsync('load/#', { qos: 1 });
      await new Promise((resolve) => setTimeout(resolve, 2 * heartbeat));

      const count = 3000;
      const pub = await client(a.url('mqtt')!, { username: 'load', password: 'pw' });
      const stream = publishStream(pub, count);
      await waitFor(() => receivedOnB() >= 20, 30_000, 'node B to deliver some of the stream');
      const beforeKill = receivedOnB();
      b.child.kill('SIGKILL');
      const acked = await stream;
      await waitFor(
        () => tally(acked, ...onA.map((m) => m.seen)).missing === 0,
        30_000,
        'every acknowledged message at a member',
      );
      const { missing, duplicates } = tally(acked, ...onA.map((m) => m.seen));
      const taken = a.sharedSubscriptions().reduce((n, g) => n + g.redeliveries, 0);
      figures(
        `cluster kill: ${acked.size} of ${count} acknowledged; node B's 2 members received ${beforeKill} before SIGKILL and acknowledged none; survivor redelivered ${taken}; missing ${missing}, duplicates ${duplicates}`,
      );
      expect(missing).toBe(0);
      expect(taken).toBeGreaterThan(0);
      expect(tally(acked, plain.seen).missing).toBe(0);
    } finally {
      b.child.kill('SIGKILL');
    }
  });
});
