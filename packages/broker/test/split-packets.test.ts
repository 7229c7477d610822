import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { collect, RawClient, sleep, startBroker, client, waitFor } from './helpers.js';

// Connections share one packet scanner while their chunks hold whole packets and take their own
// only while a packet is split (connection.ts, SharedScanner): interleaved split packets from
// several connections must each be reassembled from their own pieces.
describe('packets split across chunks', () => {
  it('reassembles PUBLISH packets from two connections whose pieces arrive interleaved', async () => {
    const broker = await startBroker({ anonymous: { read: ['#'], write: ['split/#'] } });
    const port = broker.address('mqtt')!.port;
    const sub = await client(broker.url('mqtt')!, { clientId: 'split-sub' });
    await sub.subscribeAsync('split/#', { qos: 1 });
    const received = collect(sub);
    const publishers = await Promise.all([0, 1].map(() => RawClient.open(port)));
    for (const [i, raw] of publishers.entries()) {
      raw.socket.setNoDelay(true);
      expect((await raw.connack({ clientId: `split-${i}` })).returnCode).toBe(0);
    }
    // 300-byte payloads: a two-byte remaining length, so the cuts fall inside the fixed header too.
    // Two PUBLISH per connection, one after the other in the byte stream. Payload bytes 0xff/0xfe
    // read as a fixed header are malformed (a fifth length byte): a scanner that lost its place
    // in a packet closes the connection.
    const publish = (topic: string, fill: number, messageId: number): Buffer =>
      mqttPacket.generate({
        cmd: 'publish',
        topic,
        payload: Buffer.alloc(300, fill),
        qos: 1,
        messageId,
        retain: false,
        dup: false,
      });
    const streams = publishers.map((_, i) =>
      Buffer.concat([publish(`split/${i}/first`, 0xff - i, 1), publish(`split/${i}/second`, 0xff - i, 2)]),
    );
    const one = streams[0]!.length / 2;
    // Cuts inside the first packet's fixed header and body, then one from a packet boundary into
    // the second packet's body.
    const cuts = [1, 2, 3, 9, 150, one, one + 50, one + 150, 2 * one];
    for (let c = 0; c < cuts.length; c++) {
      for (const [i, raw] of publishers.entries())
        raw.socket.write(streams[i]!.subarray(cuts[c - 1] ?? 0, cuts[c]));
      // Separate chunks on the broker's side (Nagle is off; a pause lets each piece leave alone).
      await sleep(30);
    }
    await waitFor(() => received.length === 4, 5000, 'all four messages');
    const byTopic = Object.fromEntries(received.map((m) => [m.topic, m.payload]));
    for (const i of [0, 1]) {
      expect(byTopic[`split/${i}/first`]).toEqual(Buffer.alloc(300, 0xff - i));
      expect(byTopic[`split/${i}/second`]).toEqual(Buffer.alloc(300, 0xff - i));
    }
    for (const raw of publishers) expect(raw.closed).toBe(false);
  });
});
