import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { hashPassword } from '../src/index.js';
import { client, gerritCommentAdded, startBroker, waitFor } from './helpers.js';

/** Total size a frame's first MQTT packet declares (fixed header + remaining length). */
function declaredSize(frame: Buffer): number {
  let length = 0;
  let multiplier = 1;
  let i = 1;
  for (; i < 5; i++) {
    const byte = frame[i]!;
    length += (byte & 0x7f) * multiplier;
    multiplier *= 128;
    if ((byte & 0x80) === 0) break;
  }
  return length + i + 1;
}

describe('WebSocket listener', () => {
  it('sends each MQTT packet as exactly one WebSocket frame', async () => {
    const broker = await startBroker({
      accounts: { gerrit: { password: await hashPassword('pw'), write: ['gerrit/#'] } },
    });
    const ws = new WebSocket(broker.url('ws')!, 'mqtt');
    const frames: Buffer[] = [];
    ws.on('message', (data: Buffer) => frames.push(data));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: 'frames',
        keepalive: 60,
      }),
    );
    ws.send(
      mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'gerrit/#', qos: 1 }] }),
    );
    await waitFor(() => frames.length === 2, 3000, 'CONNACK and SUBACK');
    const publisher = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    for (let i = 0; i < 5; i++) {
      await publisher.publishAsync(
        'gerrit/openstack/nova/comment-added',
        JSON.stringify(gerritCommentAdded(i + 1)),
        { qos: 1 },
      );
    }
    await waitFor(() => frames.length === 7, 3000, 'five PUBLISH frames');
    for (const frame of frames) expect(frame.length).toBe(declaredSize(frame));
    expect(frames.slice(2).every((frame) => frame[0]! >> 4 === 3)).toBe(true);
    ws.terminate();
  });

  it('isolates a frozen WebSocket subscriber from a healthy one', async () => {
    const broker = await startBroker({
      accounts: { load: { password: await hashPassword('pw'), write: ['load/#'] } },
      limits: { queueSoftBytes: 256 * 1024, queueHardBytes: 2 * 1024 * 1024 },
    });
    const frozen = new WebSocket(broker.url('ws')!, 'mqtt');
    await new Promise<void>((resolve, reject) => {
      frozen.once('open', () => resolve());
      frozen.once('error', reject);
    });
    let frozenFrames = 0;
    frozen.on('message', () => frozenFrames++);
    frozen.send(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: 'frozen-ws',
        keepalive: 0,
      }),
    );
    frozen.send(
      mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'load/#', qos: 0 }] }),
    );
    await waitFor(() => frozenFrames === 2, 3000, 'CONNACK and SUBACK');
    frozen.pause(); // stop reading: the TCP window fills, then the broker's queue for it grows

    const healthy = await client(broker.url('ws')!);
    let received = 0;
    healthy.on('message', () => received++);
    await healthy.subscribeAsync('load/#', { qos: 0 });
    const publisher = await client(broker.url('mqtt')!, { username: 'load', password: 'pw' });
    const N = 4000;
    const payload = Buffer.alloc(2048, 'x');
    for (let i = 0; i < N; i++) {
      publisher.publish(`load/${i % 10}`, payload, { qos: 0 });
      if (i % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await waitFor(() => received === N, 15_000, `all ${N} messages at the healthy WebSocket subscriber`);
    expect(broker.stats.droppedCount('queue_soft') + broker.stats.droppedCount('queue_hard')).toBeGreaterThan(
      0,
    );
    frozen.terminate();
  });
});
