import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  expectEveryChangeOnce,
  freePort,
  onCleanup,
  openPublisher,
  publishChanges,
  recordingSubscriber,
  startBroker,
  startProxy,
  waitFor,
} from './helpers.js';

describe('broker restart', () => {
  it('a persistent QoS 1 session gets every message published while it was away, across a broker restart (level persistence)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'firehose-client-'));
    onCleanup(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    const config = { listeners: { mqtt: { host: '127.0.0.1', port } }, persistence: `level:${dir}` };
    const broker = await startBroker(config);
    // Clients reach the broker through proxies, so the test can keep the subscriber away while the
    // publisher goes on, and close every connection before stopping the broker.
    const subscriberLink = await startProxy({ host: '127.0.0.1', port });
    const publisherLink = await startProxy({ host: '127.0.0.1', port });

    const recorded = await recordingSubscriber(subscriberLink.url, 'nova-bot');
    const subscriber = recorded.client;
    const publisher = await openPublisher(publisherLink.url);
    await publishChanges(publisher, 1, 10);
    await waitFor(() => recorded.numbers.length === 10, 5000, 'the first ten');

    // Restart the broker; its sessions survive on disk.
    subscriberLink.down();
    publisherLink.down();
    await waitFor(() => subscriber.state === 'reconnecting' && publisher.state === 'reconnecting');
    await broker.close();
    await startBroker(config);
    publisherLink.up();
    await waitFor(() => publisher.state === 'connected', 5000, 'the publisher to reconnect');
    // Published while the subscriber is away: the broker queues them in its session.
    await publishChanges(publisher, 11, 40);
    // Some duplicates too, as an at-least-once publisher retrying would send.
    await publishChanges(publisher, 31, 40);
    subscriberLink.up();
    await waitFor(() => subscriber.state === 'connected', 5000, 'the subscriber to reconnect');
    await publishChanges(publisher, 41, 60);
    await expectEveryChangeOnce(recorded, 60);
    expect(subscriber.stats.duplicates).toBeGreaterThanOrEqual(10);
    expect(recorded.states).toEqual(['reconnecting', 'connected']);
  });
});
