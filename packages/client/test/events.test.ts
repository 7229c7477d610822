import { createEvent, isFirehoseError } from '@firehose/protocol';
import { gerrit } from '@firehose/schema';
import { describe, expect, it } from 'vitest';
import type { FirehoseClient, InvalidEvent, RawMessage, ReceivedEvent } from '../src/index.js';
import {
  commentAdded,
  open,
  openPublisher,
  publishChanges,
  sleep,
  startBroker,
  TOPIC,
  waitFor,
} from './helpers.js';

/**
 * After the loop over changes 1..3 has ended, change 4 is published: the broker no longer sends it, so the
 * client never even decodes it.
 */
async function expectUnsubscribed(subscriber: FirehoseClient, publisher: FirehoseClient): Promise<void> {
  await publisher.publish(TOPIC, commentAdded(4));
  await sleep(150);
  expect(subscriber.stats.received).toBe(3);
}

/** A well-formed envelope whose comment-added data breaks the schema (`change.number` is a string). */
function invalidDataEnvelope() {
  const data = commentAdded(1);
  return createEvent({
    source: 'https://review.opendev.org',
    type: 'gerrit.comment-added',
    dataschema: gerrit.commentAdded.dataschema,
    data: { ...data, change: { ...data.change, number: 'x' } },
  });
}

describe('events() async iteration', () => {
  it('yields typed events; aborting the signal ends the loop and unsubscribes', async () => {
    const broker = await startBroker();
    const subscriber = await open(broker.url('mqtt')!);
    const publisher = await openPublisher(broker.url('mqtt')!);
    const controller = new AbortController();
    const stream = subscriber.events(gerrit.commentAdded({ project: 'openstack/nova' }), {
      signal: controller.signal,
    });
    const seen: number[] = [];
    const loop = (async () => {
      for await (const received of stream) {
        seen.push(received.event.data.change.number);
        if (seen.length === 3) controller.abort();
      }
    })();
    await stream.ready; // the SUBSCRIBE goes out asynchronously; this settles on SUBACK
    await publishChanges(publisher, 1, 3);
    await loop; // ends because of the abort
    expect(seen).toEqual([1, 2, 3]);
    await expectUnsubscribed(subscriber, publisher);
  });

  it('break unsubscribes too, and a where predicate applies', async () => {
    const broker = await startBroker();
    const subscriber = await open(broker.url('mqtt')!);
    const publisher = await openPublisher(broker.url('mqtt')!);
    const stream = subscriber.events('gerrit/#', { where: 'data.change.number != 2' });
    const publishing = (async () => {
      await stream.ready;
      await publishChanges(publisher, 1, 3);
    })();
    const seen: ReceivedEvent[] = [];
    for await (const received of stream) {
      seen.push(received);
      if (seen.length === 2) break;
    }
    await publishing;
    expect(seen.map((e) => (e.event.data as { change: { number: number } }).change.number)).toEqual([1, 3]);
    await expectUnsubscribed(subscriber, publisher);
  });

  it("is bounded: a slow loop loses the oldest events and counts them ('drop-oldest')", async () => {
    const broker = await startBroker();
    const subscriber = await open(broker.url('mqtt')!);
    const publisher = await openPublisher(broker.url('mqtt')!);
    const stream = subscriber.events(gerrit.commentAdded, { bufferSize: 5 });
    await stream.ready;
    await publishChanges(publisher, 1, 20);
    await waitFor(() => subscriber.stats.received === 20);
    const seen: number[] = [];
    for await (const received of stream) {
      seen.push(received.event.data.change.number);
      if (seen.length === 5) break;
    }
    expect(seen).toEqual([16, 17, 18, 19, 20]);
    expect(stream.dropped).toBe(15);
  });

  it("overflow 'error' throws QUEUE_FULL after the buffered events", async () => {
    const broker = await startBroker();
    const subscriber = await open(broker.url('mqtt')!);
    const publisher = await openPublisher(broker.url('mqtt')!);
    const stream = subscriber.events(gerrit.commentAdded, { bufferSize: 2, overflow: 'error' });
    await stream.ready;
    await publishChanges(publisher, 1, 4);
    // The third overflows the buffer, which then unsubscribes.
    await waitFor(() => subscriber.stats.received >= 3);
    const seen: number[] = [];
    const error: unknown = await (async () => {
      for await (const received of stream) seen.push(received.event.data.change.number);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([1, 2]);
    expect(isFirehoseError(error, 'QUEUE_FULL')).toBe(true);
  });

  it('close() ends open loops', async () => {
    const broker = await startBroker();
    const subscriber = await open(broker.url('mqtt')!);
    const stream = subscriber.events('gerrit/#');
    const loop = (async () => {
      let n = 0;
      for await (const _ of stream) n++;
      return n;
    })();
    await stream.ready;
    await subscriber.close();
    expect(await loop).toBe(0);
  });
});

describe('invalid incoming events', () => {
  it('go to `invalid`, never to a handler, and the client keeps working', async () => {
    // A broker that does not validate, so invalid events reach subscribers at all.
    const broker = await startBroker({ validation: { enabled: false } });
    const subscriber = await open(broker.url('mqtt')!);
    const invalid: InvalidEvent[] = [];
    subscriber.on('invalid', (event) => invalid.push(event));
    const handled: ReceivedEvent[] = [];
    await subscriber.subscribe(gerrit.commentAdded, (e) => void handled.push(e));
    await subscriber.subscribe('gerrit/#', (e) => void handled.push(e));
    const publisher = await openPublisher(broker.url('mqtt')!);
    await publisher.publishRaw(TOPIC, 'this is not json');
    await publisher.publishRaw(TOPIC, JSON.stringify({ hello: 'world' }));
    const badData = invalidDataEnvelope();
    await publisher.publishRaw(TOPIC, JSON.stringify(badData));
    await waitFor(() => invalid.length === 3);
    expect(invalid.map((e) => e.error.code)).toEqual([
      'INVALID_ENVELOPE',
      'INVALID_ENVELOPE',
      'INVALID_PAYLOAD',
    ]);
    expect(invalid[2]!.error.path).toBe('/data/change/number');
    expect(invalid[2]!.event?.id).toBe(badData.id);
    expect(invalid[0]!.topic).toBe(TOPIC);
    expect(new TextDecoder().decode(invalid[0]!.payload)).toBe('this is not json');
    // Still alive: a valid event reaches both handlers.
    await publisher.publish(TOPIC, commentAdded(1));
    await waitFor(() => handled.length === 2);
    expect(subscriber.stats.invalid).toBe(3);
    expect(subscriber.state).toBe('connected');
  });

  it('with validate: false, data is not checked but the envelope still is', async () => {
    const broker = await startBroker({ validation: { enabled: false } });
    const subscriber = await open(broker.url('mqtt')!, { validate: false });
    const invalid: InvalidEvent[] = [];
    subscriber.on('invalid', (event) => invalid.push(event));
    const handled: ReceivedEvent[] = [];
    await subscriber.subscribe('gerrit/#', (e) => void handled.push(e));
    const publisher = await openPublisher(broker.url('mqtt')!);
    const badData = invalidDataEnvelope();
    await publisher.publishRaw(TOPIC, JSON.stringify(badData));
    await publisher.publishRaw(TOPIC, '[]');
    await waitFor(() => handled.length === 1 && invalid.length === 1);
    expect(handled[0]!.eventType).toBe(gerrit.commentAdded);
    expect(handled[0]!.params).toEqual({ project: 'openstack/nova' });
  });
});

describe('subscribeRaw', () => {
  it("hands over bytes unparsed: the broker's $SYS topics, and payloads that are not envelopes", async () => {
    const broker = await startBroker({ sys: { interval: 1 }, validation: { enabled: false } });
    const client = await open(broker.url('mqtt')!);
    const invalid: InvalidEvent[] = [];
    client.on('invalid', (event) => invalid.push(event));
    const sys: RawMessage[] = [];
    const raw: RawMessage[] = [];
    await client.subscribeRaw('$SYS/#', (message) => void sys.push(message));
    const unsubscribe = await client.subscribeRaw('gerrit/#', (message) => void raw.push(message));
    const publisher = await openPublisher(broker.url('mqtt')!);
    await publisher.publishRaw(TOPIC, 'plain text, not an envelope');
    await waitFor(() => raw.length === 1 && sys.length > 0, 5000, '$SYS and the raw message');
    expect(new TextDecoder().decode(raw[0]!.payload)).toBe('plain text, not an envelope');
    expect(raw[0]!.topic).toBe(TOPIC);
    expect(sys[0]!.topic.startsWith('$SYS/')).toBe(true);
    expect(invalid).toEqual([]); // nothing was parsed, so nothing is invalid
    await unsubscribe();
    await publisher.publishRaw(TOPIC, 'again');
    await sleep(150);
    expect(raw).toHaveLength(1);
  });
});
