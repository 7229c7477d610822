import { join } from 'node:path';
import { gerrit } from '@firehose/schema';
import { temporaryDirectory } from '@firehose/test-support';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createHistoryClient, type FirehoseClient, type HistoryEvent } from '../src/index.js';
import { commentAdded, open, openPublisher, startBroker, startProxy, waitFor } from './helpers.js';

// A real broker with its SQLite archive; the client reads it over its HTTP listener.
const dir = temporaryDirectory('client-history');
let files = 0;

async function historyBroker(history: { enabled: boolean } = { enabled: true }) {
  const broker = await startBroker({
    listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } },
    history: { ...history, path: join(dir, `h${++files}.sqlite`) },
  });
  return { broker, mqtt: broker.url('mqtt')!, http: broker.url('http')! };
}

/** Changes 1..n, odd ones on openstack/neutron, even ones on openstack/nova; waits until all are archived. */
async function publishArchived(mqtt: string, http: string, count: number): Promise<void> {
  const publisher = await openPublisher(mqtt);
  for (let change = 1; change <= count; change++) {
    const project = change % 2 === 0 ? 'openstack/nova' : 'openstack/neutron';
    await publisher.publish(`gerrit/${project}/comment-added`, commentAdded(change, project));
  }
  const history = createHistoryClient(http);
  await waitFor(async () => (await history.search('#', { limit: 1000 })).events.length === count);
}

const changeOf = (event: HistoryEvent) => (event.event.data as { change: { number: number } }).change.number;

describe('client.history() and client.search() against a real archive', () => {
  let client: FirehoseClient;

  it('searches typed, newest first, in pages joined by next; resumes a history loop from a saved cursor', async () => {
    const { mqtt, http } = await historyBroker();
    await publishArchived(mqtt, http, 9);
    client = await open(mqtt, { historyUrl: http });

    const first = await client.search(gerrit.commentAdded({ project: 'openstack/nova' }), { limit: 3 });
    expectTypeOf(first.events[0]!.event.data.change.number).toEqualTypeOf<number>();
    expectTypeOf(first.events[0]!.params.project).toEqualTypeOf<string>();
    expect(first.events.map(changeOf)).toEqual([8, 6, 4]);
    expect(first.events.every((event) => event.params.project === 'openstack/nova')).toBe(true);
    expect(first.next).not.toBeNull();
    const second = await client.search(gerrit.commentAdded({ project: 'openstack/nova' }), {
      limit: 3,
      cursor: first.next!,
    });
    expect(second.events.map(changeOf)).toEqual([2]);
    expect(second.next).toBeNull();

    // The whole archive oldest first; cut after the fourth event and resume from its cursor.
    const seen: number[] = [];
    let saved: string | undefined;
    for await (const { event, cursor } of client.history(gerrit.commentAdded, { pageSize: 2 })) {
      seen.push(event.data.change.number);
      saved = cursor;
      if (seen.length === 4) break;
    }
    const rest: number[] = [];
    for await (const { event } of client.history(gerrit.commentAdded, { since: saved!, pageSize: 2 }))
      rest.push(event.data.change.number);
    expect([...seen, ...rest]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // A filter string yields the FilterEvent union; a query takes the API's own terms.
    const neutron = [];
    for await (const event of client.history('gerrit/openstack/neutron/#')) neutron.push(event.topic);
    expect(neutron).toHaveLength(5);
    const byKey = await client.search({ type: 'gerrit.comment-added', keys: { change: '7' } });
    expect(byKey.events.map(changeOf)).toEqual([7]);
    const one = await client.archive.event(byKey.events[0]!.cursor);
    expect(one.event.id).toBe(byKey.events[0]!.event.id);
    const byId = await client.archive.event(one.event.id);
    expect(byId.cursor).toBe(one.cursor);
  });

  it('maps the broker refusals to FirehoseError codes with sentences naming what to fix', async () => {
    const { mqtt, http } = await historyBroker();
    client = await open(mqtt, { historyUrl: http });
    await expect(client.search('#', { since: '2h', until: '3h' })).rejects.toMatchObject({
      code: 'INVALID_QUERY',
      path: 'to',
      message: expect.stringMatching(/\bto\b/),
    });
    await expect(client.search({ keys: { nope: 'x' } })).rejects.toMatchObject({
      code: 'INVALID_QUERY',
      path: 'nope',
      message: expect.stringContaining('nope'),
    });
    await expect(client.archive.event('no-such-event')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('no-such-event'),
    });
    // Checked here before any request: a limit the API would refuse.
    await expect(client.search('#', { limit: 5000 })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      path: 'limit',
    });

    const off = await historyBroker({ enabled: false });
    const reader = createHistoryClient(off.http);
    await expect(reader.search('#')).rejects.toMatchObject({
      code: 'HISTORY_OFF',
      message: expect.stringMatching(/History is off on this broker/),
    });
    const loop = reader.history('#');
    await expect(loop.next()).rejects.toMatchObject({ code: 'HISTORY_OFF' });
  });

  it('live: archive then live through /v1/stream, and after a cut resumes by Last-Event-ID with nothing lost or twice', async () => {
    const { broker, mqtt, http } = await historyBroker();
    await publishArchived(mqtt, http, 4);
    // The stream runs through a proxy the test can cut, as a network would.
    const proxy = await startProxy(broker.address('http')!);
    const reader = createHistoryClient(proxy.url.replace('mqtt:', 'http:'), {
      backoff: { initialDelay: 50, maxDelay: 200 },
    });
    const stream = reader.history(gerrit.commentAdded, { since: '1h', live: true });
    const states: string[] = [];
    stream.on('state', (state) => states.push(state));
    const publisher = await openPublisher(mqtt);
    const seen: number[] = [];
    const cursors: string[] = [];
    for await (const { event, cursor } of stream) {
      seen.push(event.data.change.number);
      cursors.push(cursor);
      // Past the archive: publish live; then cut the link once mid-stream.
      if (seen.length === 4)
        for (let change = 5; change <= 8; change++)
          await publisher.publish('gerrit/openstack/nova/comment-added', commentAdded(change));
      if (seen.length === 6) {
        proxy.dropAll();
        for (let change = 9; change <= 10; change++)
          await publisher.publish('gerrit/openstack/nova/comment-added', commentAdded(change));
      }
      if (seen.length === 10) break;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([...cursors].sort()).toEqual(cursors);
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(states).toContain('reconnecting');
    expect(stream.state).toBe('closed');
    expect(stream.cursor).toBe(cursors.at(-1));
  });
});
