import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gerrit } from '@firehose/schema';
import { describe, expect, it } from 'vitest';
import type { ClientState } from '../src/index.js';
import {
  commentAdded,
  freePort,
  onCleanup,
  open,
  openPublisher,
  sleep,
  startBroker,
  waitFor,
} from './helpers.js';
import { TcpProxy } from './tcp-proxy.js';

const TOPIC = 'gerrit/openstack/nova/comment-added';

describe('broker restart', () => {
  it('a persistent QoS 1 session gets every message published while it was away, across a broker restart (level persistence)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'firehose-client-'));
    onCleanup(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    const config = { listeners: { mqtt: { host: '127.0.0.1', port } }, persistence: `level:${dir}` };
    const broker = await startBroker(config);
    // Clients reach the broker through proxies, so the test can keep the subscriber away while the
    // publisher goes on, and close every connection before stopping the broker.
    const subscriberLink = await TcpProxy.start({ host: '127.0.0.1', port });
    const publisherLink = await TcpProxy.start({ host: '127.0.0.1', port });
    onCleanup(() => subscriberLink.close());
    onCleanup(() => publisherLink.close());

    const subscriber = await open(subscriberLink.url, { clientId: 'nova-bot', clean: false, dedupe: true });
    const states: ClientState[] = [];
    subscriber.on('state', (state) => states.push(state));
    const ids: string[] = [];
    const numbers: number[] = [];
    await subscriber.subscribe(gerrit.commentAdded, (e) => {
      ids.push(e.event.id);
      numbers.push(e.event.data.change.number);
    });
    const publisher = await openPublisher(publisherLink.url);
    const total = 60;
    for (let i = 1; i <= 10; i++) await publisher.publish(TOPIC, commentAdded(i));
    await waitFor(() => numbers.length === 10, 5000, 'the first ten');

    // Restart the broker; its sessions survive on disk.
    subscriberLink.down();
    publisherLink.down();
    await waitFor(() => subscriber.state === 'reconnecting' && publisher.state === 'reconnecting');
    await broker.close();
    await startBroker(config);
    publisherLink.up();
    await waitFor(() => publisher.state === 'connected', 5000, 'the publisher to reconnect');
    // Published while the subscriber is away: the broker queues them in its session.
    for (let i = 11; i <= 40; i++) await publisher.publish(TOPIC, commentAdded(i));
    // Some duplicates too, as an at-least-once publisher retrying would send.
    for (let i = 31; i <= 40; i++) await publisher.publish(TOPIC, commentAdded(i));
    subscriberLink.up();
    await waitFor(() => subscriber.state === 'connected', 5000, 'the subscriber to reconnect');
    for (let i = 41; i <= total; i++) await publisher.publish(TOPIC, commentAdded(i));
    await waitFor(() => numbers.length >= total, 10_000, 'every message');
    await sleep(200);
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1)); // zero lost
    expect(new Set(ids).size).toBe(ids.length); // no duplicate reached the handler
    expect(subscriber.stats.duplicates).toBeGreaterThanOrEqual(10);
    expect(states).toEqual(['reconnecting', 'connected']);
  });
});
