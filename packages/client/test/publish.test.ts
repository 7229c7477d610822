import { isFirehoseError } from '@firehose/protocol';
import { gerrit } from '@firehose/schema';
import { describe, expect, it } from 'vitest';
import type { ClientState, ConnectOptions, FirehoseClient, ReceivedEvent } from '../src/index.js';
import {
  collectChanges,
  commentAdded,
  freePort,
  open,
  openPublisher,
  sleep,
  startBroker,
  startProxy,
  TOPIC,
  waitFor,
} from './helpers.js';
import type { TcpProxy } from './tcp-proxy.js';

interface PublisherBehindProxy {
  proxy: TcpProxy;
  publisher: FirehoseClient;
  /** Change numbers the subscriber received. */
  seen: number[];
}

/** A publisher behind a proxy the test controls, and a subscriber connected to the broker directly. */
async function publisherBehindProxy(options: ConnectOptions = {}): Promise<PublisherBehindProxy> {
  const broker = await startBroker();
  const proxy = await startProxy(broker.address('mqtt')!);
  const publisher = await openPublisher(proxy.url, options);
  const seen = await collectChanges(await open(broker.url('mqtt')!));
  return { proxy, publisher, seen };
}

/** Publishes change 1 with a 300 ms timeout, which the test has arranged to expire. */
async function expectPublishTimesOut(publisher: FirehoseClient): Promise<void> {
  const error: unknown = await publisher
    .publish(TOPIC, commentAdded(1), { timeout: 300 })
    .catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'TIMEOUT' });
}

/** Brings the link back and publishes change 2: it arrives, and the timed-out change 1 never does. */
async function expectOnlyTheNextArrives({ proxy, publisher, seen }: PublisherBehindProxy): Promise<void> {
  proxy.up();
  await waitFor(() => publisher.state === 'connected', 5000, 'the publisher to reconnect');
  await publisher.publish(TOPIC, commentAdded(2));
  await waitFor(() => seen.length >= 1);
  await sleep(200);
  expect(seen).toEqual([2]);
}

describe('publish', () => {
  it('rejects invalid data locally with the path, and sends nothing', async () => {
    const broker = await startBroker();
    const subscriber = await open(broker.url('mqtt')!);
    const seen: ReceivedEvent[] = [];
    await subscriber.subscribe('gerrit/#', (e) => void seen.push(e));
    const publisher = await openPublisher(broker.url('mqtt')!);
    const data = commentAdded();
    const bad = { ...data, change: { ...data.change, number: 'not a number' } };
    const error: unknown = await publisher.publish(TOPIC, bad).catch((e: unknown) => e);
    expect(isFirehoseError(error, 'INVALID_PAYLOAD')).toBe(true);
    expect((error as { path?: string }).path).toBe('/change/number');
    // data.type must agree with the topic's event.
    const mismatch: unknown = await publisher
      .publish(TOPIC, { ...data, type: 'patchset-created' })
      .catch((e: unknown) => e);
    expect(isFirehoseError(mismatch)).toBe(true);
    const unknown: unknown = await publisher
      .publish('gerrit/openstack/nova/no-such-event', data)
      .catch((e: unknown) => e);
    expect(isFirehoseError(unknown, 'UNKNOWN_EVENT_TYPE')).toBe(true);
    await expect(publisher.publish('gerrit/+/comment-added', data)).rejects.toSatisfy((e) =>
      isFirehoseError(e, 'INVALID_TOPIC'),
    );
    // A declared shape, badly encoded: said so, not "no schema declares it".
    await expect(publisher.publish('gerrit/openstack%2Fnova/comment-added', data)).rejects.toSatisfy(
      (e) => isFirehoseError(e, 'INVALID_TOPIC') && /non-canonically encoded/.test((e as Error).message),
    );
    await publisher.publish(TOPIC, data); // the control: a valid one does arrive
    await waitFor(() => seen.length === 1);
    await sleep(50);
    expect(seen).toHaveLength(1);
  });

  it('builds a deterministic id from the upstream identity, and an explicit id wins', async () => {
    const broker = await startBroker();
    const publisher = await openPublisher(broker.url('mqtt')!);
    const a = await publisher.publish(TOPIC, commentAdded(5));
    const b = await publisher.publish(TOPIC, commentAdded(5));
    expect(a.id).toBe(b.id);
    const c = await publisher.publish(TOPIC, commentAdded(5), { identity: ['other'] });
    expect(c.id).not.toBe(a.id);
    const d = await publisher.publish(TOPIC, commentAdded(5), { id: 'my-id' });
    expect(d.id).toBe('my-id');
    expect(a).toMatchObject({
      type: 'gerrit.comment-added',
      dataschema: gerrit.commentAdded.dataschema,
      specversion: '1.0',
    });
  });

  it('while the broker is down: rejects within the timeout, and the message never arrives later', async () => {
    const setup = await publisherBehindProxy();
    const { proxy, publisher } = setup;
    const states: ClientState[] = [];
    publisher.on('state', (state) => states.push(state));
    proxy.down();
    await waitFor(() => publisher.state === 'reconnecting');
    const started = Date.now();
    await expectPublishTimesOut(publisher);
    expect(Date.now() - started).toBeLessThan(5000); // settled, rather than hanging like publishAsync
    await expectOnlyTheNextArrives(setup);
    expect(states).toEqual(['reconnecting', 'connected']);
  });

  it('a publish unacknowledged by a stalled link is withdrawn from MQTT.js on timeout and not resent on reconnect', async () => {
    const setup = await publisherBehindProxy({ keepalive: 0 });
    const { proxy, publisher } = setup;
    // The link swallows the PUBLISH: MQTT.js has it in its outgoing store, waiting for PUBACK.
    proxy.frozen = true;
    await expectPublishTimesOut(publisher);
    // Reconnect: MQTT.js replays its outgoing store [MQTT-4.4.0-1]; the withdrawn one must not be there.
    proxy.frozen = false;
    proxy.down();
    await waitFor(() => publisher.state === 'reconnecting');
    await expectOnlyTheNextArrives(setup);
  });

  it('QoS 1 publishes in flight at a drop are resent on reconnect and resolve', async () => {
    const { proxy, publisher, seen } = await publisherBehindProxy({ keepalive: 0 });
    proxy.frozen = true;
    const pending = publisher.publish(TOPIC, commentAdded(1), { timeout: 5000 });
    await sleep(100);
    proxy.frozen = false;
    proxy.dropAll();
    await pending;
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual([1]);
  });

  it('bounds the offline queue: overflow rejects with QUEUE_FULL, the rest is sent after reconnecting', async () => {
    const { proxy, publisher, seen } = await publisherBehindProxy({ offlineQueueSize: 2 });
    proxy.down();
    await waitFor(() => publisher.state === 'reconnecting');
    const queued = [publisher.publish(TOPIC, commentAdded(1)), publisher.publish(TOPIC, commentAdded(2))];
    await expect(publisher.publish(TOPIC, commentAdded(3))).rejects.toSatisfy((e) =>
      isFirehoseError(e, 'QUEUE_FULL'),
    );
    expect(publisher.stats.queuedPublishes).toBe(2);
    proxy.up();
    await Promise.all(queued);
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual([1, 2]);
  });

  it('close() waits for in-flight QoS 1 publishes, then rejects new work with CLOSED', async () => {
    const broker = await startBroker();
    const subscriber = await open(broker.url('mqtt')!);
    const seen = await collectChanges(subscriber);
    const publisher = await openPublisher(broker.url('mqtt')!);
    const publishes = Array.from({ length: 20 }, (_, i) => publisher.publish(TOPIC, commentAdded(i + 1)));
    await publisher.close();
    await Promise.all(publishes);
    expect(publisher.state).toBe('closed');
    await expect(publisher.publish(TOPIC, commentAdded(99))).rejects.toSatisfy((e) =>
      isFirehoseError(e, 'CLOSED'),
    );
    await waitFor(() => seen.length === 20);
  });
});

describe('close', () => {
  it('while reconnecting: stops retrying, rejects queued publishes with CLOSED and ends loops', async () => {
    const broker = await startBroker();
    const proxy = await startProxy(broker.address('mqtt')!);
    const client = await openPublisher(proxy.url);
    const stream = client.events('gerrit/#');
    const loop = (async () => {
      let n = 0;
      for await (const _ of stream) n++;
      return n;
    })();
    proxy.down();
    await waitFor(() => client.state === 'reconnecting');
    const queued = client.publish(TOPIC, commentAdded(1));
    await client.close();
    expect(client.state).toBe('closed');
    await expect(queued).rejects.toSatisfy((e) => isFirehoseError(e, 'CLOSED'));
    expect(await loop).toBe(0);
    // No reconnect after close, even once the broker is reachable again.
    proxy.up();
    await sleep(300);
    expect(client.state).toBe('closed');
    await expect(client.subscribe('gerrit/#', () => {})).rejects.toSatisfy((e) =>
      isFirehoseError(e, 'CLOSED'),
    );
  });
});

describe('connect', () => {
  it('tries a list of URLs in turn', async () => {
    const broker = await startBroker();
    const dead = `mqtt://127.0.0.1:${await freePort()}`;
    const client = await open([dead, broker.url('mqtt')!]);
    expect(client.state).toBe('connected');
  });

  it('fails over to the next URL when the current broker goes away', async () => {
    const a = await startBroker();
    const b = await startBroker();
    const proxy = await startProxy(a.address('mqtt')!);
    const subscriber = await open([proxy.url, b.url('mqtt')!]);
    const states: ClientState[] = [];
    subscriber.on('state', (state) => states.push(state));
    const seen = await collectChanges(subscriber);
    proxy.down();
    await waitFor(() => states.includes('connected'), 5000, 'failover to b');
    expect(states).toEqual(['reconnecting', 'connected']);
    const publisher = await openPublisher(b.url('mqtt')!);
    await publisher.publish(TOPIC, commentAdded(1));
    await waitFor(() => seen.length === 1); // resubscribed on b, which never had the session
  });

  it('reports wrong credentials as NOT_AUTHORIZED and a dead broker as CONNECTION_FAILED', async () => {
    const broker = await startBroker();
    await expect(open(broker.url('mqtt')!, { username: 'gerrit', password: 'wrong' })).rejects.toSatisfy(
      (e) => isFirehoseError(e, 'NOT_AUTHORIZED'),
    );
    await expect(open(`mqtt://127.0.0.1:${await freePort()}`, { connectTimeout: 2000 })).rejects.toSatisfy(
      (e) => isFirehoseError(e, 'CONNECTION_FAILED'),
    );
    await expect(open('http://127.0.0.1:1')).rejects.toSatisfy((e) => isFirehoseError(e, 'INVALID_CONFIG'));
    await expect(open(broker.url('mqtt')!, { clean: false })).rejects.toSatisfy((e) =>
      isFirehoseError(e, 'INVALID_CONFIG'),
    );
  });
});
