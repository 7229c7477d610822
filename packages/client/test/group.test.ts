import { isFirehoseError } from '@firehose/protocol';
import { gerrit } from '@firehose/schema';
import { describe, expect, it } from 'vitest';
import { open, openPublisher, publishChanges, startBroker, waitFor } from './helpers.js';

describe('subscribe and events with { group } (shared subscriptions)', () => {
  it('splits a typed stream between the workers of a group, each event once, while a plain subscriber gets all', async () => {
    const broker = await startBroker();
    const url = broker.url('mqtt')!;
    const workers = await Promise.all([open(url), open(url)]);
    const handled: number[][] = [[], []];
    for (const [i, worker] of workers.entries()) {
      await worker.subscribe(gerrit.commentAdded, (e) => void handled[i]!.push(e.event.data.change.number), {
        group: 'log-workers',
      });
    }
    const plain = await open(url);
    const everything: number[] = [];
    await plain.subscribe(gerrit.commentAdded, (e) => void everything.push(e.event.data.change.number));

    await publishChanges(await openPublisher(url), 1, 20);
    await waitFor(
      () => handled[0]!.length + handled[1]!.length >= 20 && everything.length >= 20,
      10_000,
      'every event',
    );
    expect([...handled[0]!, ...handled[1]!].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(handled[0]!.length).toBe(10);
    expect(everything).toHaveLength(20);
    // A typed subscription is one filter per project depth, so one group per filter; an event matches one.
    const groups = broker.sharedSubscriptions();
    expect(groups.every((g) => g.group === 'log-workers' && g.members.length === 2)).toBe(true);
    expect(groups.reduce((n, g) => n + g.deliveries, 0)).toBe(20);
  });

  it('events(target, { group }) iterates this worker\u2019s share', async () => {
    const broker = await startBroker();
    const url = broker.url('mqtt')!;
    const [a, b] = await Promise.all([open(url), open(url)]);
    const streamA = a.events(gerrit.commentAdded({ project: 'openstack/nova' }), { group: 'indexers' });
    const streamB = b.events(gerrit.commentAdded({ project: 'openstack/nova' }), { group: 'indexers' });
    await Promise.all([streamA.ready, streamB.ready]);
    await publishChanges(await openPublisher(url), 1, 4);
    const take = async (stream: typeof streamA): Promise<number[]> => {
      const got: number[] = [];
      for await (const e of stream) {
        got.push(e.event.data.change.number);
        if (got.length === 2) break;
      }
      return got;
    };
    const [gotA, gotB] = await Promise.all([take(streamA), take(streamB)]);
    expect([...gotA, ...gotB].sort()).toEqual([1, 2, 3, 4]);
  });

  it('refuses a group name with / + or # with INVALID_CONFIG, before anything is sent', async () => {
    const broker = await startBroker();
    const client = await open(broker.url('mqtt')!);
    for (const group of ['', 'a/b', 'a+', '#']) {
      const error: unknown = await client.subscribe('gerrit/#', () => {}, { group }).catch((e: unknown) => e);
      expect(isFirehoseError(error) && error.code).toBe('INVALID_CONFIG');
      expect((error as Error).message).toMatch(/^group must be a non-empty name without \/, \+ or #/);
    }
    expect(broker.sharedSubscriptions()).toEqual([]);
  });
});
