import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { hashPassword } from '../src/index.js';
import { client, connectCollecting, RawClient, sleep, startBroker, waitFor } from './helpers.js';

// Seen in a fuzzing run: clients/connected at -2150 and subscriptions/count at -240.
describe('connection and subscription statistics', () => {
  it('counts the subscriptions clients hold, not the SUBSCRIBE and UNSUBSCRIBE requests', async () => {
    const broker = await startBroker({ anonymous: { read: ['a/#'] } });
    const raw = await RawClient.open(broker.address('mqtt')!.port);
    await raw.connack();
    raw.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [
        { topic: 'a/1', qos: 0 },
        { topic: 'b/denied', qos: 0 },
      ],
    });
    await raw.next('suback');
    raw.send({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'a/1', qos: 1 }] }); // replaces the first
    await raw.next('suback');
    raw.send({ cmd: 'unsubscribe', messageId: 3, unsubscriptions: ['a/never'] });
    await raw.next('unsuback');
    expect(broker.stats.subscriptions).toBe(1);

    raw.socket.destroy();
    await waitFor(() => broker.stats.clientsConnected === 0);
    expect(broker.stats.subscriptions).toBe(0);
  });

  it('counts a client cut off while its persistent queue is being sent as gone, once', async () => {
    const broker = await startBroker({
      accounts: { load: { password: await hashPassword('pw'), write: ['load/#'] } },
    });
    const url = broker.url('mqtt')!;
    const away = await connectCollecting(url, { clientId: 'cut', clean: false });
    await away.client.subscribeAsync('load/#', { qos: 1 });
    await away.client.endAsync();
    const publisher = await client(url, { username: 'load', password: 'pw' });
    await Promise.all(
      Array.from({ length: 500 }, (_, i) => publisher.publishAsync('load/x', String(i), { qos: 1 })),
    );

    for (let attempt = 0; attempt < 5; attempt++) {
      const raw = await RawClient.open(broker.address('mqtt')!.port);
      raw.send({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: false,
        clientId: 'cut',
        keepalive: 60,
      });
      await raw.next('connack');
      raw.socket.destroy(); // mid-queue
      await sleep(50);
    }
    await waitFor(() => broker.stats.clientsConnected === 1, 3000, 'only the publisher connected');
    await sleep(100); // and it stays so: a late registration would push it up
    expect(broker.stats.clientsConnected).toBe(1);
  });

  it('does not count a client that hung up while its session was being set up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firehose-stats-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // level: the connect's store steps (subscriptions, will) take long enough to hang up during.
    const broker = await startBroker({ persistence: `level:${dir}` });
    const port = broker.address('mqtt')!.port;
    for (let i = 0; i < 20; i++) {
      const raw = await RawClient.open(port);
      raw.send({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: `hasty-${i % 3}`,
        keepalive: 60,
      });
      raw.socket.destroy();
    }
    await sleep(500);
    expect(broker.stats.clientsConnected).toBe(0);
  });

  // [MQTT-3.1.4-2] Several connections racing for one client id (with wills, so closing the one
  // taken over is asynchronous): aedes overwrote registrations, left the losers connected and
  // let a closing client delete the winner's entry, so the count drifted up for good.
  it('leaves exactly one of several racing connections with the same client id, and counts it once', async () => {
    const broker = await startBroker({ anonymous: { read: ['#'], write: ['will/#'] } });
    const port = broker.address('mqtt')!.port;
    const racers = await Promise.all(Array.from({ length: 12 }, () => RawClient.open(port)));
    for (const raw of racers) {
      raw.send({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: 'contested',
        keepalive: 60,
        will: { topic: 'will/contested', payload: Buffer.from('gone'), qos: 0, retain: false },
      });
    }
    await waitFor(() => racers.filter((raw) => !raw.closed).length === 1, 5000, 'one connection left');
    await sleep(200); // and it stays so: a takeover still closing would change it
    expect(racers.filter((raw) => !raw.closed)).toHaveLength(1);
    expect(broker.stats.clientsConnected).toBe(1);

    for (const raw of racers) raw.socket.destroy();
    await waitFor(() => broker.stats.clientsConnected === 0, 3000, 'no client connected');
    expect(broker.stats.clientsConnected).toBe(0);
  });
});
