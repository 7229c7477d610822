import { describe, expect, it } from 'vitest';
import { hashPassword } from '../src/index.js';
import { client, connectCollecting, RawClient, sleep, startBroker, waitFor } from './helpers.js';

describe('connection isolation', () => {
  it('keeps delivering to a healthy subscriber while a raw-socket subscriber is frozen', async () => {
    const broker = await startBroker({
      accounts: { load: { password: await hashPassword('pw'), write: ['load/#'] } },
      limits: { queueSoftBytes: 256 * 1024, queueHardBytes: 2 * 1024 * 1024 },
    });
    const frozen = await RawClient.open(broker.address('mqtt')!.port);
    expect((await frozen.connack({ clientId: 'frozen' })).returnCode).toBe(0);
    frozen.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#', qos: 0 }] });
    await frozen.next('suback');
    // Stop reading: the kernel buffers fill, then the broker's outbound queue for it grows.
    frozen.socket.pause();

    const { client: healthy, seen } = await connectCollecting(broker.url('mqtt')!);
    await healthy.subscribeAsync('#', { qos: 0 });
    const publisher = await client(broker.url('mqtt')!, { username: 'load', password: 'pw' });
    const N = 6000;
    const payload = Buffer.alloc(2048, 'x');
    for (let i = 0; i < N; i++) {
      publisher.publish(`load/${i % 10}`, payload, { qos: 0 });
      if (i % 500 === 499) await sleep(1);
    }
    await waitFor(() => seen.length === N, 15_000, `all ${N} messages at the healthy subscriber`);
    // The frozen one was either held at the soft cap (QoS 0 dropped) or cut at the hard cap.
    const soft = broker.stats.droppedCount('queue_soft');
    const hard = broker.stats.droppedCount('queue_hard');
    expect(soft + hard).toBeGreaterThan(0);
    expect(hard === 0 || frozen.closed || (await frozen.waitClosed().then(() => true))).toBe(true);
  });

  it('refuses an oversized PUBLISH from its declared length, before the body arrives', async () => {
    const broker = await startBroker({ limits: { maxPacketBytes: 64 * 1024 } });
    const raw = await RawClient.open(broker.address('mqtt')!.port);
    expect((await raw.connack({ clientId: 'big' })).returnCode).toBe(0);
    // PUBLISH QoS 0 declaring 200 MiB: remaining length 209715200 as a variable-length integer.
    raw.socket.write(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x64, 0x00, 0x01, 0x61]));
    await raw.waitClosed();
    expect(broker.stats.droppedCount('packet_too_large')).toBe(1);
  });

  it('refuses an oversized CONNECT without answering it', async () => {
    const broker = await startBroker({ limits: { maxPacketBytes: 64 * 1024 } });
    const raw = await RawClient.open(broker.address('mqtt')!.port);
    raw.socket.write(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x08])); // CONNECT declaring 16 MiB
    await raw.waitClosed();
    expect(raw.packets).toEqual([]);
    expect(broker.stats.droppedCount('packet_too_large')).toBe(1);
  });

  it('closes only the connection that sent a malformed packet', async () => {
    const broker = await startBroker();
    const { client: bystander } = await connectCollecting(broker.url('mqtt')!);
    const raw = await RawClient.open(broker.address('mqtt')!.port);
    expect((await raw.connack({ clientId: 'bad' })).returnCode).toBe(0);
    raw.socket.write(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f])); // five-byte remaining length
    await raw.waitClosed();
    expect(broker.stats.droppedCount('malformed')).toBe(1);
    // The bystander still works.
    await bystander.subscribeAsync('x/y');
    expect(bystander.connected).toBe(true);
  });
});
