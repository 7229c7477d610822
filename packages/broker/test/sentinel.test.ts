import { freePort, startRedisSentinelSet, waitFor, type RedisSentinelSet } from '@firehose/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBroker,
  hashPassword,
  type BrokerConfigInput,
  type FirehoseBroker,
  type Logger,
} from '../src/index.js';
import { client, connectCollecting, sleep } from './helpers.js';

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

function figures(line: string): void {
  // What a failover costs, for docs/operating.md; printed only on request.
  if (process.env.FIREHOSE_TEST_FIGURES) process.stdout.write(`${line}\n`);
}

/** Warnings and infos, as "msg" strings, for asserting on what an operator reads. */
function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (obj: object | string, msg?: string): void =>
    void lines.push(typeof obj === 'string' ? obj : (msg ?? ''));
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
  const broker = await createBroker(config(persistence), {
    heartbeatIntervalMs: 200,
    ...(logger ? { logger } : {}),
  });
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
        () =>
          logger.lines.some((line) =>
            line.includes(
              `no sentinel of persistence "${persistence}" is reachable and knows master "${name}"`,
            ),
          ),
        20_000,
        `the sentence for ${persistence}`,
      );
      expect(listening).toBe(false);
      await broker.close();
      await listen;
    }
  });

  it('two nodes follow a failover: /readyz 503 while the primary is gone, 200 once the replica is promoted; every acknowledged QoS 1 message of a stream across it is delivered', async () => {
    const a = await start(set.url(1));
    const b = await start(set.url(1));
    await a.listen();
    await b.listen();
    const readyz = async (node: FirehoseBroker) => (await fetch(`${node.url('http')!}/readyz`)).status;
    // Both clients reconnect by themselves, as deployed ones do; MQTT.js resends unacknowledged QoS 1.
    const reconnecting = { reconnectPeriod: 200, clean: false } as const;
    const sub = await connectCollecting(b.url('mqtt')!, { clientId: 'follower', ...reconnecting });
    await waitFor(() => sub.client.connected, 10_000, 'the subscriber to connect');
    await sub.client.subscribeAsync('load/#', { qos: 1 });
    const pub = await client(a.url('mqtt')!, {
      username: 'load',
      password: 'pw',
      clientId: 'streamer',
      ...reconnecting,
    });

    // A stream of pairs (QoS 0, QoS 1), one pair per 10 ms, across the failover.
    const acked = new Set<number>();
    const settled: Promise<unknown>[] = [];
    let published = 0;
    let streaming = true;
    const stream = (async () => {
      while (streaming) {
        const i = published++;
        pub.publish('load/q0', String(i), { qos: 0 });
        settled.push(
          pub.publishAsync('load/q1', String(i), { qos: 1 }).then(
            () => acked.add(i),
            () => undefined,
          ),
        );
        await sleep(10);
      }
    })();
    await waitFor(() => acked.size >= 20, 10_000, 'the stream to flow');

    const killedAt = Date.now();
    await set.primary.kill();
    await waitFor(async () => (await readyz(a)) === 503, 20_000, 'node A to report not ready');
    await set.promoted();
    await waitFor(
      async () => (await readyz(a)) === 200 && (await readyz(b)) === 200,
      30_000,
      'both nodes ready on the new primary',
    );
    const window = Date.now() - killedAt;
    const resumedAt = published;
    await waitFor(
      () => acked.size > 0 && [...acked].some((i) => i > resumedAt + 20),
      30_000,
      'the stream to flow again',
    );
    streaming = false;
    await stream;
    await waitFor(
      async () => await Promise.race([Promise.all(settled).then(() => true), sleep(100).then(() => false)]),
      30_000,
      'every QoS 1 publish to settle',
    );

    const received = (topic: string): number[] =>
      sub.seen.filter((m) => m.topic === topic).map((m) => Number(m.payload.toString()));
    await waitFor(
      () => [...acked].every((i) => received('load/q1').includes(i)),
      30_000,
      'every acknowledged QoS 1 message',
    );
    const q1 = received('load/q1');
    const q0 = new Set(received('load/q0'));
    const duplicated = q1.length - new Set(q1).size;
    const lost = [...acked].filter((i) => !q1.includes(i)).length;
    figures(
      `sentinel failover: window ${window} ms (kill to both nodes ready); pairs published ${published}; ` +
        `QoS 0 delivered ${q0.size}, lost ${published - q0.size}; QoS 1 acknowledged ${acked.size}, delivered ${new Set(q1).size}, duplicated ${duplicated}, lost ${lost}`,
    );
    expect(lost).toBe(0);
    expect(acked.size).toBe(published);
  }, 120_000);
});
