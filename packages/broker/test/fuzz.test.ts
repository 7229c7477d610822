import { mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { hashPassword } from '../src/index.js';
import { client, collect, sleep, startBroker, waitFor } from './helpers.js';

/** How long the mutated traffic runs; raise it for a longer local run (`FUZZ_SECONDS=60`). */
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 3);
const WORKERS = 8;

/** A small seeded generator, so a failing run's mutations can be replayed with `FUZZ_SEED`. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

// Valid packets of every kind a client sends, with client ids that collide on purpose.
const CONNECTS: Packet[] = [
  { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'fz', keepalive: 10 },
  {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: false,
    clientId: 'fz-p',
    keepalive: 10,
    username: 'gerrit',
    password: Buffer.from('pw'),
  },
  {
    cmd: 'connect',
    protocolId: 'MQIsdp',
    protocolVersion: 3,
    clean: false,
    clientId: 'fz3',
    keepalive: 0,
    will: { topic: 'fuzz/will', payload: Buffer.from('x'), qos: 1, retain: true },
  },
];
const OTHERS: Packet[] = [
  { cmd: 'publish', topic: 'fuzz/a', payload: Buffer.from('hello'), qos: 0, retain: false, dup: false },
  {
    cmd: 'publish',
    topic: 'fuzz/b',
    payload: Buffer.alloc(300, 1),
    qos: 1,
    messageId: 7,
    retain: true,
    dup: false,
  },
  {
    cmd: 'publish',
    topic: 'fuzz/c',
    payload: Buffer.from('{"x":1}'),
    qos: 2,
    messageId: 9,
    retain: false,
    dup: false,
  },
  {
    cmd: 'subscribe',
    messageId: 3,
    subscriptions: [
      { topic: '#', qos: 2 },
      { topic: '$SYS/#', qos: 0 },
    ],
  },
  { cmd: 'unsubscribe', messageId: 4, unsubscriptions: ['#'] },
  { cmd: 'puback', messageId: 1 },
  { cmd: 'pubrec', messageId: 2 },
  { cmd: 'pubrel', messageId: 9 },
  { cmd: 'pubcomp', messageId: 2 },
  { cmd: 'pingreq' },
  { cmd: 'disconnect' },
];

/** Flips, replaces, truncates or extends a few bytes of a valid packet. */
function mutate(bytes: Buffer, rand: () => number): Buffer {
  const out = Buffer.from(bytes);
  for (let n = 1 + Math.floor(rand() * 4); n > 0; n--) {
    const at = Math.floor(rand() * out.length);
    const op = rand();
    if (op < 0.5) out[at] = Math.floor(rand() * 256);
    else if (op < 0.7) out[at]! ^= 1 << Math.floor(rand() * 8);
    else if (op < 0.85) return out.subarray(0, at);
    else
      return Buffer.concat([
        out,
        Buffer.from(Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * 256))),
      ]);
  }
  return out;
}

/** One connection's bytes: usually a CONNECT, then a few packets, half of them mutated. */
function session(rand: () => number): Buffer {
  const pick = (list: Packet[]) => mqttPacket.generate(list[Math.floor(rand() * list.length)]!);
  const parts = rand() < 0.8 ? [pick(CONNECTS)] : [];
  for (let n = 1 + Math.floor(rand() * 8); n > 0; n--)
    parts.push(rand() < 0.5 ? mutate(pick([...CONNECTS, ...OTHERS]), rand) : pick(OTHERS));
  return Buffer.concat(parts);
}

/** Sends a session over TCP in random small chunks, then hangs up. */
function overTcp(port: number, rand: () => number): Promise<void> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    const done = () => resolve(void socket.destroy());
    const timer = setTimeout(done, 500);
    socket.on('error', () => undefined).on('close', () => (clearTimeout(timer), resolve()));
    socket.on('connect', () => {
      const bytes = session(rand);
      const send = (offset: number): void => {
        if (offset >= bytes.length) return void setTimeout(done, Math.floor(rand() * 30));
        const size = 1 + Math.floor(rand() * 64);
        socket.write(bytes.subarray(offset, offset + size));
        setImmediate(send, offset + size);
      };
      send(0);
    });
  });
}

/** Sends a session as one WebSocket message, binary or mangled into text, then hangs up. */
function overWebSocket(port: number, rand: () => number): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, 'mqtt');
    const done = () => resolve(void ws.terminate());
    const timer = setTimeout(done, 500);
    ws.on('error', () => undefined).on('close', () => (clearTimeout(timer), resolve()));
    ws.on('open', () => {
      const bytes = session(rand);
      ws.send(rand() < 0.7 ? bytes : bytes.toString('latin1'));
      setTimeout(done, Math.floor(rand() * 50));
    });
  });
}

describe('fuzzing with mutated MQTT packets', () => {
  // Found, in longer runs of this: clients registered for good after hanging up mid-CONNECT,
  // takeovers deleting the new connection's entry, and both counters going negative.
  it(
    'keeps serving a healthy subscriber, loses none of its messages and counts every client out again',
    { timeout: SECONDS * 1000 + 20_000 },
    async () => {
      const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
      const dir = mkdtempSync(join(tmpdir(), 'firehose-fuzz-'));
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
      const broker = await startBroker({
        accounts: { gerrit: { password: await hashPassword('pw'), write: ['gerrit/#'] } },
        anonymous: { read: ['#', '$SYS/#'], write: ['fuzz/#'] },
        persistence: `level:${dir}`,
        // One IP sends everything here: lift the per-IP limits so the traffic reaches the parser.
        limits: {
          connectionRatePerIp: 100_000_000,
          maxConnectionsPerIp: 10_000,
          maxSessionsPerIp: 100_000,
          authFailuresPerMinute: 100_000_000,
        },
      });
      const healthy = await client(broker.url('mqtt')!, { clientId: 'healthy' });
      await healthy.subscribeAsync('gerrit/health', { qos: 1 });
      const received = collect(healthy);
      const publisher = await client(broker.url('mqtt')!, {
        clientId: 'healthy-pub',
        username: 'gerrit',
        password: 'pw',
      });
      let sent = 0;
      const ticker = setInterval(() => {
        // (MQTT.js throws on a publish after end(), as when a timed-out test is torn down)
        if (!publisher.disconnecting)
          void publisher.publishAsync('gerrit/health', String(++sent), { qos: 1 });
      }, 20);
      onTestFinished(() => clearInterval(ticker));

      const end = Date.now() + SECONDS * 1000;
      const tcp = broker.address('mqtt')!.port;
      const ws = broker.address('ws')!.port;
      let sessions = 0;
      await Promise.all(
        Array.from({ length: WORKERS }, async (_, worker) => {
          const rand = random(seed + worker);
          while (Date.now() < end) {
            await (worker % 4 === 0 ? overWebSocket(ws, rand) : overTcp(tcp, rand));
            sessions++;
          }
        }),
      );
      clearInterval(ticker);

      const context = `seed ${seed}, ${sessions} sessions`;
      await waitFor(() => received.length === sent, 5000, `every healthy message (${context})`);
      expect(healthy.connected && publisher.connected, context).toBe(true);
      await waitFor(
        () => broker.stats.clientsConnected === 2,
        3000,
        `only the two healthy clients (${context})`,
      );
      await Promise.all([healthy.endAsync(), publisher.endAsync()]);
      await sleep(100);
      expect(broker.stats.clientsConnected, context).toBe(0);
      expect(broker.stats.subscriptions, context).toBe(0);
    },
  );
});
