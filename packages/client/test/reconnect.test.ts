import { createEvent } from '@firehose/protocol';
import { gerrit } from '@firehose/schema';
import { describe, expect, it } from 'vitest';
import {
  collectChanges,
  commentAdded,
  expectEveryChangeOnce,
  gerritHash,
  open,
  openPublisher,
  publishChanges,
  recordingSubscriber,
  sleep,
  startBroker,
  startProxy,
  TOPIC,
  waitFor,
} from './helpers.js';

describe('reconnect', () => {
  it('reports each scheduled attempt (number, delay, URL) while the broker is away', async () => {
    const broker = await startBroker();
    const link = await startProxy(broker.address('mqtt')!);
    const client = await open(link.url, { backoff: { initialDelay: 50, maxDelay: 200 } });
    const retries: { attempt: number; delay: number; url: string }[] = [];
    client.on('retry', (retry) => retries.push(retry));
    link.down();
    await waitFor(() => retries.length >= 3, 10_000, 'three scheduled attempts');
    expect(retries.slice(0, 3).map((retry) => retry.attempt)).toEqual([1, 2, 3]);
    for (const retry of retries) {
      expect(retry.url).toBe(link.url);
      expect(retry.delay).toBeGreaterThanOrEqual(0);
      expect(retry.delay).toBeLessThanOrEqual(200);
    }
    link.up();
    await waitFor(() => client.state === 'connected', 10_000, 'the reconnect');
    // Counting starts again after a successful connection.
    const before = retries.length;
    link.dropAll();
    await waitFor(() => retries.length > before, 10_000, 'an attempt after the second drop');
    expect(retries[before]?.attempt).toBe(1);
  });

  it('a persistent QoS 1 session gets every message published while it was away, once', async () => {
    const broker = await startBroker();
    // The subscriber reaches the broker through a proxy, so the test can keep it away.
    const link = await startProxy(broker.address('mqtt')!);
    const recorded = await recordingSubscriber(link.url, 'nova-bot');
    const subscriber = recorded.client;
    const publisher = await openPublisher(broker.url('mqtt')!);
    await publishChanges(publisher, 1, 10);
    await waitFor(() => recorded.numbers.length === 10, 5000, 'the first ten');

    link.down();
    await waitFor(() => subscriber.state === 'reconnecting');
    // Published while the subscriber is away: the broker queues them in its session.
    await publishChanges(publisher, 11, 40);
    // The same events again, as an at-least-once publisher retrying would send them.
    await publishChanges(publisher, 31, 40);
    link.up();
    await waitFor(() => subscriber.state === 'connected', 5000, 'the subscriber to reconnect');
    await publishChanges(publisher, 41, 60);
    await expectEveryChangeOnce(recorded, 60);
    expect(subscriber.stats.duplicates).toBe(10); // the dedupe window caught every resent one
    expect(recorded.states).toEqual(['reconnecting', 'connected']);
  });

  it('restores subscriptions after a reconnect when the broker kept no session', async () => {
    const broker = await startBroker();
    const link = await startProxy(broker.address('mqtt')!);
    const subscriber = await open(link.url); // clean session: the broker forgets it on disconnect
    let reconnects = 0;
    subscriber.on('state', (state) => {
      if (state === 'connected') reconnects++;
    });
    const seen: number[] = [];
    await subscriber.subscribe(
      gerrit.commentAdded({ project: 'openstack/nova' }),
      (e) => void seen.push(e.event.data.change.number),
    );
    await subscriber.subscribe('gerrit/+/comment-added', () => {}, { qos: 0 });
    const publisher = await openPublisher(broker.url('mqtt')!);
    for (let cycle = 1; cycle <= 3; cycle++) {
      link.dropAll();
      await waitFor(() => reconnects === cycle, 5000, 'reconnect');
      // The SUBSCRIBE follows CONNACK; poll until the restored subscription delivers.
      const before = seen.length;
      for (let attempt = 0; seen.length === before && attempt < 50; attempt++) {
        await publisher.publish(TOPIC, commentAdded(cycle * 100 + attempt));
        await sleep(20);
      }
      expect(seen.length).toBeGreaterThan(before);
    }
  });

  it('holds messages a persistent session delivers before subscribe() runs again (a restarted process)', async () => {
    const broker = await startBroker();
    const first = await open(broker.url('mqtt')!, { clientId: 'restarting-bot', clean: false });
    await first.subscribe(gerrit.commentAdded, () => {});
    await first.close();
    const publisher = await openPublisher(broker.url('mqtt')!);
    await publishChanges(publisher, 1, 5);
    const sent = broker.stats.messagesSent;
    // The "restarted" process: the broker sends the queued messages right after CONNACK, before
    // this process subscribes again.
    const second = await open(broker.url('mqtt')!, { clientId: 'restarting-bot', clean: false });
    await waitFor(() => broker.stats.messagesSent >= sent + 5, 5000, 'the queued messages sent');
    const seen = await collectChanges(second);
    await waitFor(() => seen.length === 5);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('unsubscribing while offline also removes the subscription from a persistent session', async () => {
    const broker = await startBroker({
      accounts: { gerrit: { password: await gerritHash(), write: ['gerrit/#', 'other/#'] } },
    });
    const link = await startProxy(broker.address('mqtt')!);
    const subscriber = await open(link.url, { clientId: 'fickle-bot', clean: false });
    const gerritSeen = await collectChanges(subscriber);
    const unsubscribeOther = await subscriber.subscribe('other/#', () => {});
    link.down();
    await waitFor(() => subscriber.state === 'reconnecting');
    await unsubscribeOther(); // offline: the UNSUBSCRIBE has to wait for the session
    link.up();
    await waitFor(() => subscriber.state === 'connected', 5000, 'reconnect');
    await sleep(100);
    const publisher = await openPublisher(broker.url('mqtt')!);
    const other = createEvent({
      source: 'https://example.org',
      type: 'other.thing',
      dataschema: 'urn:x:1',
      data: {},
    });
    await publisher.publishRaw('other/thing', JSON.stringify(other));
    await publisher.publish(TOPIC, commentAdded(1));
    await waitFor(() => gerritSeen.length === 1);
    // Had the session kept 'other/#', the message would be held for the next matching subscription.
    const otherSeen: string[] = [];
    await subscriber.subscribe('other/#', (e) => void otherSeen.push(e.event.id));
    await sleep(150);
    expect(otherSeen).toEqual([]);
  });
});
