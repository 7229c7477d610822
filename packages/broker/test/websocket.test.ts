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
    const broker = await startBroker({ accounts: { gerrit: { password: await hashPassword('pw'), write: ['gerrit/#'] } } });
    const ws = new WebSocket(broker.url('ws')!, 'mqtt');
    const frames: Buffer[] = [];
    ws.on('message', (data: Buffer) => frames.push(data));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'frames', keepalive: 60 }));
    ws.send(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'gerrit/#', qos: 1 }] }));
    await waitFor(() => frames.length === 2, 3000, 'CONNACK and SUBACK');
    const publisher = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    for (let i = 0; i < 5; i++) {
      await publisher.publishAsync('gerrit/openstack/nova/comment-added', JSON.stringify(gerritCommentAdded(i + 1)), { qos: 1 });
    }
    await waitFor(() => frames.length === 7, 3000, 'five PUBLISH frames');
    for (const frame of frames) expect(frame.length).toBe(declaredSize(frame));
    expect(frames.slice(2).every((frame) => frame[0]! >> 4 === 3)).toBe(true);
    ws.terminate();
  });
});
