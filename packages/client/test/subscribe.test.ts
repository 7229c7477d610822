import { isFirehoseError } from '@firehose/protocol';
import { gerrit } from '@firehose/schema';
import { describe, expect, it } from 'vitest';
import { isEventOf, type ReceivedEvent } from '../src/index.js';
import { commentAdded, open, openPublisher, sleep, startBroker, waitFor } from './helpers.js';

describe('subscribe against a real broker', () => {
  it('typed subscriptions parse the envelope, the event type and the topic params', async () => {
    const broker = await startBroker();
    const subscriber = await open(broker.url('mqtt')!);
    const seen: ReceivedEvent[] = [];
    await subscriber.subscribe(gerrit.commentAdded({ project: 'openstack/nova' }), (received) => {
      // `data` is typed from the schema: this line type-checks only because of it.
      const project: string = received.event.data.change.project;
      expect(project).toBe('openstack/nova');
      seen.push(received);
    });
    const publisher = await openPublisher(broker.url('mqtt')!);
    const sent = await publisher.publish(
      gerrit.commentAdded.topic({ project: 'openstack/nova' }),
      commentAdded(1),
    );
    await waitFor(() => seen.length === 1);
    const [received] = seen;
    expect(received!.event).toEqual(sent);
    expect(received!.eventType).toBe(gerrit.commentAdded);
    expect(received!.params).toEqual({ project: 'openstack/nova' });
    expect(received!.topic).toBe('gerrit/openstack/nova/comment-added');
    expect(new TextDecoder().decode(received!.payload)).toBe(JSON.stringify(sent));
    expect(sent.subject).toBe('openstack/nova/change/1');
  });

  it('partial params subscribe to exactly the matching topics', async () => {
    const broker = await startBroker();
    const subscriber = await open(broker.url('mqtt')!);
    const nova: string[] = [];
    const everyProject: string[] = [];
    await subscriber.subscribe(
      gerrit.commentAdded({ project: 'openstack/nova' }),
      (e) => void nova.push(e.params.project),
    );
    await subscriber.subscribe(gerrit.commentAdded, (e) => void everyProject.push(e.params.project));
    const publisher = await openPublisher(broker.url('mqtt')!);
    const projects = [
      'openstack/nova',
      'All-Projects',
      'openstack/nova-specs',
      'openstack/nova/extra',
      'x/y/z/w',
      'openstack',
    ];
    for (const [i, project] of projects.entries()) {
      await publisher.publish(gerrit.commentAdded.topic({ project }), commentAdded(i + 1, project));
    }
    // A different event of the same project matches neither.
    await publisher.publishRaw('gerrit/openstack/nova/patchset-created', '{}');
    await waitFor(() => everyProject.length === projects.length);
    await sleep(100);
    expect(nova).toEqual(['openstack/nova']);
    expect([...everyProject].sort()).toEqual([...projects].sort());
  });

  it('raw filters deliver every event type, narrowed with isEventOf', async () => {
    const broker = await startBroker();
    const subscriber = await open(broker.url('ws')!); // over WebSocket, too
    const seen: ReceivedEvent[] = [];
    await subscriber.subscribe('gerrit/#', (e) => void seen.push(e));
    const publisher = await openPublisher(broker.url('mqtt')!);
    await publisher.publish('gerrit/openstack/nova/comment-added', commentAdded(7));
    await publisher.publishRaw(
      'gerrit/openstack/nova/brand-new-event',
      JSON.stringify({ ...(await undeclaredEnvelope()) }),
    );
    await waitFor(() => seen.length === 2);
    const [typed, undeclared] = seen;
    expect(isEventOf(typed!, gerrit.commentAdded)).toBe(true);
    if (isEventOf(typed!, gerrit.commentAdded)) expect(typed.event.data.change.number).toBe(7);
    expect(undeclared!.eventType).toBeUndefined();
    expect(undeclared!.params).toEqual({});
    expect(isEventOf(undeclared!, gerrit.commentAdded)).toBe(false);
  });

  it('where predicates filter client-side, as a string or a function', async () => {
    const broker = await startBroker();
    const subscriber = await open(broker.url('mqtt')!);
    const vetoes: number[] = [];
    const bigChanges: number[] = [];
    await subscriber.subscribe(gerrit.commentAdded, (e) => void vetoes.push(e.event.data.change.number), {
      where: 'data.change.branch = master and data.approvals[].value = -2',
    });
    await subscriber.subscribe(gerrit.commentAdded, (e) => void bigChanges.push(e.event.data.change.number), {
      where: (e) => e.event.data.change.number >= 3,
    });
    const publisher = await openPublisher(broker.url('mqtt')!);
    const topic = gerrit.commentAdded.topic({ project: 'openstack/nova' });
    await publisher.publish(topic, commentAdded(1, 'openstack/nova', { value: '-2' }));
    await publisher.publish(
      topic,
      commentAdded(2, 'openstack/nova', { value: '-2', branch: 'stable/2024.1' }),
    );
    await publisher.publish(topic, commentAdded(3, 'openstack/nova', { value: '+1' }));
    await publisher.publish(topic, commentAdded(4, 'openstack/nova', { value: '-2' }));
    await waitFor(() => bigChanges.length === 2);
    await sleep(50);
    expect(vetoes).toEqual([1, 4]);
    expect(bigChanges).toEqual([3, 4]);
  });

  it('rejects a bad filter or predicate before touching the network', async () => {
    const broker = await startBroker();
    const client = await open(broker.url('mqtt')!);
    await expect(client.subscribe('gerrit/#/x', () => {})).rejects.toSatisfy((e) =>
      isFirehoseError(e, 'INVALID_FILTER'),
    );
    await expect(client.subscribe('gerrit/#', () => {}, { where: 'data.x = ' })).rejects.toSatisfy((e) =>
      isFirehoseError(e, 'INVALID_PREDICATE'),
    );
  });

  it('a handler that throws is reported on error and does not stop delivery', async () => {
    const broker = await startBroker();
    const subscriber = await open(broker.url('mqtt')!);
    const errors: Error[] = [];
    subscriber.on('error', (e) => errors.push(e));
    const seen: number[] = [];
    await subscriber.subscribe(gerrit.commentAdded, () => {
      throw new Error('handler bug');
    });
    await subscriber.subscribe(gerrit.commentAdded, async (e) => {
      seen.push(e.event.data.change.number);
      await Promise.reject(new Error('async handler bug'));
    });
    const publisher = await openPublisher(broker.url('mqtt')!);
    await publisher.publish('gerrit/a/comment-added', commentAdded(1, 'a'));
    await publisher.publish('gerrit/a/comment-added', commentAdded(2, 'a'));
    await waitFor(() => seen.length === 2 && errors.length === 4);
    expect(errors.map((e) => e.message).sort()).toEqual([
      'async handler bug',
      'async handler bug',
      'handler bug',
      'handler bug',
    ]);
  });

  it('unsubscribe stops delivery; a filter shared by two subscriptions stays until both are gone', async () => {
    const broker = await startBroker();
    const subscriber = await open(broker.url('mqtt')!);
    const a: number[] = [];
    const b: number[] = [];
    const offA = await subscriber.subscribe(
      'gerrit/#',
      (e) => void a.push((e.event.data as { change: { number: number } }).change.number),
    );
    const offB = await subscriber.subscribe(
      'gerrit/#',
      (e) => void b.push((e.event.data as { change: { number: number } }).change.number),
    );
    const publisher = await openPublisher(broker.url('mqtt')!);
    await publisher.publish('gerrit/a/comment-added', commentAdded(1, 'a'));
    await waitFor(() => a.length === 1 && b.length === 1);
    await offA();
    await publisher.publish('gerrit/a/comment-added', commentAdded(2, 'a'));
    await waitFor(() => b.length === 2);
    await offB();
    await publisher.publish('gerrit/a/comment-added', commentAdded(3, 'a'));
    await sleep(100);
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
    expect(subscriber.stats.received).toBe(2);
  });

  it("a subscription the broker's ACL refuses rejects with NOT_AUTHORIZED, and the client stays usable", async () => {
    const broker = await startBroker({ anonymous: { read: ['gerrit/#'] } });
    const client = await open(broker.url('mqtt')!);
    await expect(client.subscribe('zuul/#', () => {})).rejects.toSatisfy((e) =>
      isFirehoseError(e, 'NOT_AUTHORIZED'),
    );
    // events(): `ready` rejects, and so does the loop.
    const stream = client.events('zuul/#');
    await expect(stream.ready).rejects.toSatisfy((e) => isFirehoseError(e, 'NOT_AUTHORIZED'));
    await expect(
      (async () => {
        for await (const _ of stream) break;
      })(),
    ).rejects.toSatisfy((e) => isFirehoseError(e, 'NOT_AUTHORIZED'));
    const seen: number[] = [];
    await client.subscribe(gerrit.commentAdded, (e) => void seen.push(e.event.data.change.number));
    const publisher = await openPublisher(broker.url('mqtt')!);
    await publisher.publish('gerrit/a/comment-added', commentAdded(1, 'a'));
    await waitFor(() => seen.length === 1);
    expect(client.state).toBe('connected');
  });

  it('dedupe drops a repeated source + id; without it both copies arrive', async () => {
    const broker = await startBroker();
    const plain = await open(broker.url('mqtt')!);
    const deduped = await open(broker.url('mqtt')!, { dedupe: true });
    const plainSeen: string[] = [];
    const dedupedSeen: string[] = [];
    await plain.subscribe(gerrit.commentAdded, (e) => void plainSeen.push(e.event.id));
    await deduped.subscribe(gerrit.commentAdded, (e) => void dedupedSeen.push(e.event.id));
    const publisher = await openPublisher(broker.url('mqtt')!);
    const first = await publisher.publish('gerrit/a/comment-added', commentAdded(1, 'a'));
    // A publisher retrying the same upstream event: same deterministic id.
    await publisher.publish('gerrit/a/comment-added', commentAdded(1, 'a'));
    await publisher.publish('gerrit/a/comment-added', commentAdded(2, 'a'));
    await waitFor(() => plainSeen.length === 3 && dedupedSeen.length === 2);
    expect(plainSeen[0]).toBe(first.id);
    expect(plainSeen[1]).toBe(first.id);
    expect(deduped.stats.duplicates).toBe(1);
  });
});

async function undeclaredEnvelope() {
  const { createEvent } = await import('@firehose/protocol');
  return createEvent({
    source: 'https://review.opendev.org',
    type: 'gerrit.brand-new-event',
    dataschema: 'urn:firehose:schema:gerrit.brand-new-event:1',
    data: { type: 'brand-new-event' },
  });
}
