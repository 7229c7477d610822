import { freePort, startRedisSentinelSet, waitFor, type RedisSentinelSet } from '@firehose/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, hashPassword, type BrokerConfigInput, type FirehoseBroker, type Logger } from '../src/index.js';
import { client, connectCollecting } from './helpers.js';

let set: RedisSentinelSet;
let password: string;
const nodes: FirehoseBroker[] = [];

beforeAll(async () => {
  set = await startRedisSentinelSet();
  password = await hashPassword('pw');
}, 60_000);
afterAll(async () => {
  for (const node of nodes) await node.close();
  await set?.stop();
});

/** Warnings and infos, as "msg" strings, for asserting on what an operator reads. */
function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (obj: object | string, msg?: string): void => void lines.push(typeof obj === 'string' ? obj : (msg ?? ''));
  return { lines, debug: () => undefined, info: record, warn: record, error: record };
}

function config(persistence: string): BrokerConfigInput {
  return {
    listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } },
    accounts: { load: { password, write: ['load/#'] } },
    persistence,
    catalogue: { interval: 0 },
    sys: { interval: 0 },
  };
}

async function start(persistence: string, logger?: Logger): Promise<FirehoseBroker> {
  const broker = await createBroker(config(persistence), { heartbeatIntervalMs: 200, ...(logger ? { logger } : {}) });
  nodes.push(broker);
  return broker;
}

describe('persistence through Redis Sentinel', () => {
  it('a sentinel set nobody answers, or a master name no sentinel knows: one sentence naming the setting, and the node waits', async () => {
    const nobody = `redis-sentinel://127.0.0.1:${await freePort()}/${set.name}`;
    const unknown = `redis-sentinel://127.0.0.1:${set.sentinels[0]!.port}/no-such-master`;
    for (const persistence of [nobody, unknown]) {
      const logger = capturingLogger();
      const broker = await start(persistence, logger);
      let listening = false;
      const listen = broker.listen().then(
        () => (listening = true),
        () => undefined,
      );
      const name = persistence.slice(persistence.lastIndexOf('/') + 1);
      await waitFor(
        () => logger.lines.some((line) => line.includes(`no sentinel of persistence "${persistence}" is reachable and knows master "${name}"`)),
        20_000,
        `the sentence for ${persistence}`,
      );
      expect(listening).toBe(false);
      await broker.close();
      await listen;
    }
  });

  it('two nodes follow a failover: /readyz 503 while the primary is gone, 200 once the replica is promoted, and QoS 1 flows across them again', async () => {
    const a = await start(set.url(1));
    const b = await start(set.url(1));
    await a.listen();
    await b.listen();
    const readyz = async (node: FirehoseBroker) => (await fetch(`${node.url('http')!}/readyz`)).status;
    const sub = await connectCollecting(b.url('mqtt')!, { clientId: 'follower', clean: false });
    await sub.client.subscribeAsync('load/#', { qos: 1 });
    const pub = await client(a.url('mqtt')!, { username: 'load', password: 'pw' });
    await pub.publishAsync('load/x', 'before', { qos: 1 });
    await waitFor(() => sub.seen.length === 1, 10_000, 'the message before the failover');

    await set.primary.kill();
    await waitFor(async () => (await readyz(a)) === 503, 20_000, 'node A to report not ready');
    await set.promoted();
    await waitFor(async () => (await readyz(a)) === 200 && (await readyz(b)) === 200, 30_000, 'both nodes ready on the new primary');
    // The publisher may have been disconnected meanwhile; MQTT.js reconnects by itself.
    await waitFor(() => pub.connected, 20_000, 'the publisher to be connected');
    await pub.publishAsync('load/x', 'after', { qos: 1 });
    await waitFor(() => sub.seen.some((m) => m.payload.toString() === 'after'), 20_000, 'the message after the failover');
    expect(sub.seen[0]!.payload.toString()).toBe('before');
  }, 90_000);
});
