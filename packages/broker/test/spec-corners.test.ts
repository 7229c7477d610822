import { describe, expect, it } from 'vitest';
import type { IConnackPacket } from 'mqtt-packet';
import { hashPassword } from '../src/index.js';
import {
  client,
  connectCollecting,
  RawClient,
  sleep,
  startBroker,
  waitFor,
  type Received,
} from './helpers.js';

type QoS = 0 | 1 | 2;
const QOS: QoS[] = [0, 1, 2];

interface Case {
  prefix: string;
  first: { filter: string; qos: QoS };
  second: { filter: string; qos: QoS };
  published: QoS;
}

/** Both subscription orders × every pair of granted QoS × every published QoS. */
function overlapCases(): Case[] {
  const cases: Case[] = [];
  let i = 0;
  for (const wildcardFirst of [true, false]) {
    for (const wildcardQos of QOS) {
      for (const exactQos of QOS) {
        for (const published of QOS) {
          const prefix = `m/${i++}`;
          const wildcard = { filter: `${prefix}/#`, qos: wildcardQos };
          const exact = { filter: `${prefix}/b`, qos: exactQos };
          cases.push({
            prefix,
            first: wildcardFirst ? wildcard : exact,
            second: wildcardFirst ? exact : wildcard,
            published,
          });
        }
      }
    }
  }
  return cases;
}

/** Each case's message arrived once, at min(published QoS, highest granted QoS) [MQTT-3.3.5-1]. */
function expectOneCopyEach(cases: Case[], seen: Received[]): void {
  for (const c of cases) {
    const got = seen.filter((m) => m.topic === `${c.prefix}/b`);
    const expected = Math.min(c.published, Math.max(c.first.qos, c.second.qos));
    expect({ case: c, copies: got.length, qos: got[0]?.qos }).toEqual({ case: c, copies: 1, qos: expected });
  }
}

const accounts = async () => ({ matrix: { password: await hashPassword('pw'), write: ['m/#'] } });

describe('spec corners aedes 1.2.0 gets wrong', () => {
  it('answers a zero-length client id with clean session 0 with CONNACK 0x02 [MQTT-3.1.3-8]', async () => {
    const broker = await startBroker();
    const raw = await RawClient.open(broker.address('mqtt')!.port);
    // mqtt-packet refuses to generate this CONNECT, so it is written by hand:
    // MQTT 3.1.1, flags 0x00 (clean session 0), keepalive 60, zero-length client id.
    raw.socket.write(Buffer.from([0x10, 12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x00, 0, 60, 0, 0]));
    const connack = (await raw.next('connack')) as IConnackPacket;
    expect(connack.returnCode).toBe(2);
    await raw.waitClosed();

    const ok = await RawClient.open(broker.address('mqtt')!.port);
    expect((await ok.connack({ clientId: '', clean: true })).returnCode).toBe(0);
  });

  it('answers a keepalive outside the limits with return code 2, not aedes’ non-standard 6', async () => {
    const broker = await startBroker({ limits: { keepaliveMin: 5, keepaliveMax: 120 } });
    for (const keepalive of [0, 2, 121]) {
      const raw = await RawClient.open(broker.address('mqtt')!.port);
      const connack: IConnackPacket = await raw.connack({ clientId: `k${keepalive}`, keepalive });
      expect(connack.returnCode).toBe(2);
      await raw.waitClosed();
    }
    const raw = await RawClient.open(broker.address('mqtt')!.port);
    expect((await raw.connack({ clientId: 'k60', keepalive: 60 })).returnCode).toBe(0);
  });

  it('does not send retained $ topics to a # subscriber [MQTT-4.7.2-1]', async () => {
    const broker = await startBroker({ catalogue: { interval: 1 } }); // catalogue records are retained $firehose topics
    const { client: sub, seen } = await connectCollecting(broker.url('mqtt')!);
    await sub.subscribeAsync('#');
    await sub.subscribeAsync('$firehose/catalogue/+/declared/gerrit.comment-added');
    await waitFor(() => seen.length >= 1);
    await sleep(100);
    expect(seen.map((m) => m.topic)).toEqual([
      `$firehose/catalogue/${broker.nodeId}/declared/gerrit.comment-added`,
    ]);
  });

  it('delivers overlapping subscriptions once, at min(published QoS, highest granted QoS), live [MQTT-3.3.5-1]', async () => {
    const broker = await startBroker({ accounts: await accounts() });
    const cases = overlapCases();
    const { client: sub, seen } = await connectCollecting(broker.url('mqtt')!, { clientId: 'live-matrix' });
    for (const c of cases) {
      await sub.subscribeAsync(c.first.filter, { qos: c.first.qos });
      await sub.subscribeAsync(c.second.filter, { qos: c.second.qos });
    }
    const pub = await client(broker.url('mqtt')!, { username: 'matrix', password: 'pw' });
    for (const c of cases) await pub.publishAsync(`${c.prefix}/b`, c.prefix, { qos: c.published });
    await waitFor(() => seen.length >= cases.length, 10_000, 'one delivery per case');
    await sleep(200); // room for any duplicate to show up
    expectOneCopyEach(cases, seen);
  });

  it('queues one copy per persistent session, not one per overlapping filter, offline [MQTT-3.3.5-1]', async () => {
    const broker = await startBroker({ accounts: await accounts() });
    const cases = overlapCases();
    const first = await connectCollecting(broker.url('mqtt')!, { clientId: 'offline-matrix', clean: false });
    for (const c of cases) {
      await first.client.subscribeAsync(c.first.filter, { qos: c.first.qos });
      await first.client.subscribeAsync(c.second.filter, { qos: c.second.qos });
    }
    await first.client.endAsync();
    const pub = await client(broker.url('mqtt')!, { username: 'matrix', password: 'pw' });
    for (const c of cases) await pub.publishAsync(`${c.prefix}/b`, c.prefix, { qos: c.published });
    // Messages that the session stores: QoS > 0 published to a filter granted QoS > 0.
    const stored = cases.filter((c) => c.published > 0 && Math.max(c.first.qos, c.second.qos) > 0);
    const { seen } = await connectCollecting(broker.url('mqtt')!, {
      clientId: 'offline-matrix',
      clean: false,
    });
    await waitFor(() => seen.length >= stored.length, 10_000, 'the offline queue');
    await sleep(200);
    expect(seen.length).toBe(stored.length);
    expectOneCopyEach(stored, seen);
  });
});
