import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { selfSignedCertificate } from '@firehose/test-support';
import { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/index.js';
import { client, connectCollecting, gerritCommentAdded, sleep, startBroker, waitFor } from './helpers.js';

const TOPIC = 'gerrit/openstack/nova/comment-added';
const { cert, key, ca, remove } = selfSignedCertificate();
afterAll(remove);

const gerritAccount = async () => ({ gerrit: { password: await hashPassword('pw'), write: ['gerrit/#'] } });

describe('listeners', () => {
  it('delivers over MQTT over TLS and TLS WebSocket with a self-signed certificate', async () => {
    const local = { host: '127.0.0.1', port: 0 };
    const broker = await startBroker({
      accounts: await gerritAccount(),
      listeners: { mqtt: local, mqtts: { ...local, cert, key }, wss: { ...local, cert, key } },
    });
    expect(broker.url('mqtts')).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(broker.url('wss')).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    const tls = await connectCollecting(broker.url('mqtts')!, { ca });
    const wss = await connectCollecting(broker.url('wss')!, { ca });
    await tls.client.subscribeAsync('gerrit/#', { qos: 1 });
    await wss.client.subscribeAsync('gerrit/#', { qos: 1 });
    const publisher = await client(broker.url('mqtts')!, { ca, username: 'gerrit', password: 'pw' });
    const event = gerritCommentAdded();
    await publisher.publishAsync(TOPIC, JSON.stringify(event), { qos: 1 });
    await waitFor(() => tls.seen.length === 1 && wss.seen.length === 1);
    expect(JSON.parse(tls.seen[0]!.payload.toString())).toEqual(event);
    expect(JSON.parse(wss.seen[0]!.payload.toString())).toEqual(event);
  });

  it('reads a PROXY header in front of the TLS handshake on an mqtts listener (TCP-mode balancer)', async () => {
    const broker = await startBroker({
      accounts: await gerritAccount(),
      trustProxy: { proxyProtocol: true },
      listeners: { mqtts: { host: '127.0.0.1', port: 0, cert, key } },
    });
    const ips: string[] = [];
    broker.on('clientConnected', ({ ip }) => ips.push(ip));
    const { port } = broker.address('mqtts')!;
    // What HAProxy `send-proxy` does: the header in clear, then the client's own TLS bytes.
    const viaBalancer = (clientIp: string) => (): ReturnType<typeof tlsConnect> => {
      const tcp = netConnect({ host: '127.0.0.1', port });
      tcp.write(`PROXY TCP4 ${clientIp} 127.0.0.1 40000 ${port}\r\n`);
      return tlsConnect({ socket: tcp, ca, servername: 'localhost' });
    };
    const subscriber = new MqttClient(viaBalancer('203.0.113.7'), { reconnectPeriod: 0, protocolVersion: 4 });
    const publisher = new MqttClient(viaBalancer('198.51.100.1'), {
      reconnectPeriod: 0,
      username: 'gerrit',
      password: 'pw',
    });
    try {
      await Promise.all(
        [subscriber, publisher].map(
          (c) => new Promise((resolve, reject) => c.once('connect', resolve).once('error', reject)),
        ),
      );
      const seen: string[] = [];
      subscriber.on('message', (_topic, payload) => seen.push(payload.toString()));
      await subscriber.subscribeAsync('gerrit/#', { qos: 1 });
      const event = gerritCommentAdded();
      await publisher.publishAsync(TOPIC, JSON.stringify(event), { qos: 1 });
      await waitFor(() => seen.length === 1);
      expect(JSON.parse(seen[0]!)).toEqual(event);
      expect(ips.sort()).toEqual(['198.51.100.1', '203.0.113.7']);
    } finally {
      subscriber.end(true);
      publisher.end(true);
    }
  });

  it('delivers only the envelope’s data on a payload: data listener', async () => {
    const broker = await startBroker({
      accounts: await gerritAccount(),
      listeners: {
        mqtt: [
          { host: '127.0.0.1', port: 0 },
          { host: '127.0.0.1', port: 0, payload: 'data' },
        ],
      },
    });
    const envelope = await connectCollecting(broker.url('mqtt', 0)!);
    const bare = await connectCollecting(broker.url('mqtt', 1)!);
    for (const c of [envelope, bare]) await c.client.subscribeAsync(['gerrit/#', 'other/#'], { qos: 1 });
    const publisher = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    const event = gerritCommentAdded();
    await publisher.publishAsync(TOPIC, JSON.stringify(event), { qos: 1 });
    await publisher.publishAsync(
      'gerrit/openstack/nova/brand-new-event',
      JSON.stringify({ ...event, type: 'gerrit.brand-new-event' }),
      { qos: 1 },
    );
    await waitFor(() => envelope.seen.length === 2 && bare.seen.length === 2);
    expect(JSON.parse(envelope.seen[0]!.payload.toString())).toEqual(event);
    // gerritbot-era consumers read the Gerrit stream-events JSON directly.
    expect(JSON.parse(bare.seen[0]!.payload.toString())).toEqual(event.data);
    expect(JSON.parse(bare.seen[1]!.payload.toString())).toEqual(event.data);
  });

  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    const broker = await startBroker({
      accounts: await gerritAccount(),
      listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } },
    });
    const base = broker.url('http')!;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const publisher = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    await publisher.publishAsync(TOPIC, '{not json', { qos: 1 });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^firehose_clients_connected 1$/m);
    expect(metrics).toMatch(/^firehose_messages_received_total 1$/m);
    expect(metrics).toMatch(/^firehose_refused_total\{reason="invalid"\} 1$/m);
    expect(metrics).toMatch(/^firehose_process_resident_memory_bytes \d+/m);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('publishes $SYS statistics, Mosquitto names included, and never shows client ids to anonymous readers', async () => {
    const broker = await startBroker({ sys: { interval: 0 } });
    const reader = await connectCollecting(broker.url('mqtt')!);
    await reader.client.subscribeAsync('$SYS/#');
    const secret = await client(broker.url('mqtt')!, { clientId: 'secret-session-id', clean: false });
    await secret.subscribeAsync('a/b', { qos: 1 });
    broker.publishSys();
    await waitFor(() => reader.seen.some((m) => m.topic === '$SYS/broker/clients/connected'));
    await waitFor(() => reader.seen.some((m) => m.topic.startsWith('$SYS/firehose/')));
    await sleep(100);
    const value = (topic: string) => reader.seen.find((m) => m.topic === topic)?.payload.toString();
    expect(value('$SYS/broker/clients/connected')).toBe('2');
    expect(value('$SYS/broker/load/messages/received/1min')).toMatch(/^\d+(\.\d+)?$/);
    expect(value('$SYS/broker/uptime')).toMatch(/^\d+ seconds$/);
    const stats = JSON.parse(value(`$SYS/firehose/${broker.nodeId}/stats`)!);
    expect(stats).toMatchObject({ node: broker.nodeId, clients: { connected: 2 }, subscriptions: 2 });
    expect(reader.seen.filter((m) => m.payload.toString().includes('secret-session-id'))).toEqual([]);
    expect(reader.seen.some((m) => /^\$SYS\/[^/]+\/new\//.test(m.topic))).toBe(false);
  });

  it('answers a new $SYS/broker subscription at once with the current values, flagged retained, as Mosquitto does', async () => {
    const broker = await startBroker({ sys: { interval: 3600 } });
    const everything = await connectCollecting(broker.url('mqtt')!);
    await everything.client.subscribeAsync('#');
    const scraper = await connectCollecting(broker.url('mqtt')!);
    await scraper.client.subscribeAsync(['$SYS/broker/uptime', '$SYS/broker/clients/+']);
    await waitFor(() => scraper.seen.length >= 2);
    await sleep(100);
    const topics = scraper.seen.map((m) => m.topic).sort();
    expect(topics).toContain('$SYS/broker/uptime');
    expect(topics).toContain('$SYS/broker/clients/connected');
    expect(topics.every((t) => t === '$SYS/broker/uptime' || t.startsWith('$SYS/broker/clients/'))).toBe(
      true,
    );
    expect(scraper.seen.every((m) => m.retain)).toBe(true);
    // Current, not the startup round's (which had no clients).
    expect(scraper.seen.find((m) => m.topic === '$SYS/broker/clients/connected')?.payload.toString()).toBe(
      '2',
    );
    // A `#` subscription never matches `$` topics [MQTT-4.7.2-1].
    expect(everything.seen).toEqual([]);
  });
});
