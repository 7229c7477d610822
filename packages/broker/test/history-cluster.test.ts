import { freePort } from '@firehose/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, type BrokerConfigInput, type FirehoseBroker } from '../src/index.js';
import { getJson, type Page } from './history-broker.js';
import { openSse, type SseStream } from './history-sse.js';
import { client, gerritCommentAdded, startBroker, startBrokerProcess, waitFor } from './helpers.js';
import { startRedis } from './redis-server.js';

/** Events the publishers send in the handover test (`CLUSTER_HISTORY_COUNT` for a longer run). */
const COUNT = Number(process.env.CLUSTER_HISTORY_COUNT ?? 4000);
const START = '0000000000000000';

let redis: Awaited<ReturnType<typeof startRedis>>;
let password: string;
/** Each test its own redis database: its own stream. */
let db = 0;

beforeAll(async () => {
  redis = await startRedis();
  password = await hashPassword('pw');
});
afterAll(() => redis.stop());

function nodeConfig(database: number, httpPort = 0): BrokerConfigInput {
  return {
    listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: httpPort } },
    accounts: { gerrit: { password, write: ['gerrit/#', 'site/#'] } },
    anonymous: { read: ['#'] },
    persistence: `${redis.url}/${database}`,
    history: { enabled: true },
    sys: { interval: 0 },
    catalogue: { interval: 0 },
  };
}

function node(database: number): Promise<FirehoseBroker> {
  return startBroker(nodeConfig(database));
}

function ids(page: Page): string[] {
  return page.events.map((record) => record.event.id);
}

describe('cluster-wide history on one redis', { timeout: 120_000 }, () => {
  it('numbers events published on different nodes in one order, the same from every node', async () => {
    const database = ++db;
    const nodes = await Promise.all([node(database), node(database), node(database)]);
    const publishers = await Promise.all(
      nodes.map((n, i) =>
        client(n.url('mqtt')!, { username: 'gerrit', password: 'pw', clientId: `gerrit-${i}` }),
      ),
    );
    // Each publish is acknowledged before the next is sent.
    const sent: string[] = [];
    for (let i = 0; i < 60; i++) {
      const id = `e${i}`;
      await publishers[i % 3]!.publishAsync(`site/node${i % 3}`, JSON.stringify({ id }), { qos: 1 });
      sent.push(id);
    }
    const comment = gerritCommentAdded(424242);
    (comment.data as { change: { project: string } }).change.project = 'openstack/nova';
    await publishers[1]!.publishAsync(`gerrit/openstack/nova/comment-added`, JSON.stringify(comment), {
      qos: 1,
    });
    const pages = await Promise.all(
      nodes.map(
        async (n) =>
          (await getJson<Page>(`${n.url('http')}/v1/events?service=site&order=asc&limit=1000`)).body,
      ),
    );
    // One order, the stream's: every publisher's own events in the order it sent them (events
    // of publishers on different nodes are ordered as redis took their XADDs).
    const order = ids(pages[0]!);
    expect([...order].sort()).toEqual([...sent].sort());
    for (const p of [0, 1, 2])
      expect(order.filter((id) => Number(id.slice(1)) % 3 === p)).toEqual(
        sent.filter((id) => Number(id.slice(1)) % 3 === p),
      );
    for (const page of pages) {
      expect(page.next).toBeNull();
      const cursors = page.events.map((record) => record.cursor);
      expect(cursors.every((cursor) => /^[0-9a-f]{16}$/.test(cursor))).toBe(true);
      expect([...cursors].sort()).toEqual(cursors);
      expect(new Set(cursors).size).toBe(cursors.length);
    }
    expect(pages[1]).toEqual(pages[0]);
    expect(pages[2]).toEqual(pages[0]);

    // A page's next from one node continues on another, in both orders.
    const [a, b, c] = nodes.map((n) => n.url('http')!);
    const first = (await getJson<Page>(`${a}/v1/events?service=site&order=desc&limit=25`)).body;
    const second = (
      await getJson<Page>(`${b}/v1/events?service=site&order=desc&limit=25&cursor=${first.next}`)
    ).body;
    const third = (
      await getJson<Page>(`${c}/v1/events?service=site&order=desc&limit=25&cursor=${second.next}`)
    ).body;
    expect([...ids(first), ...ids(second), ...ids(third)]).toEqual([...order].reverse());
    expect(third.next).toBeNull();

    // One event by cursor and by CloudEvents id, from a node that did not take it.
    const tenth = pages[0]!.events.find((record) => record.event.id === 'e9')!;
    expect((await getJson<unknown>(`${c}/v1/events/${tenth.cursor}`)).body).toEqual(tenth);
    expect((await getJson<unknown>(`${a}/v1/events/e9`)).body).toEqual(tenth);
    expect((await getJson<unknown>(`${a}/v1/events/nope`)).status).toBe(404);

    // Declared keys, type and topic filters, and where, on another node than the publisher's.
    const byChange = (await getJson<Page>(`${c}/v1/events?change=424242`)).body;
    expect(ids(byChange)).toEqual([comment.id]);
    const byType = (await getJson<Page>(`${a}/v1/events?type=gerrit.comment-added`)).body;
    expect(ids(byType)).toEqual([comment.id]);
    const byTopic = (await getJson<Page>(`${b}/v1/events?topic=site/node2&order=asc`)).body;
    expect(ids(byTopic)).toEqual(order.filter((id) => Number(id.slice(1)) % 3 === 2));
    const byWhere = (
      await getJson<Page>(`${b}/v1/events?service=site&where=${encodeURIComponent('id = e7')}`)
    ).body;
    expect(ids(byWhere)).toEqual(['e7']);

    // A time window: everything is within the last hour, nothing before it.
    expect(ids((await getJson<Page>(`${a}/v1/events?service=site&from=-1h&order=asc`)).body)).toEqual(order);
    expect(ids((await getJson<Page>(`${a}/v1/events?service=site&to=-1h`)).body)).toEqual([]);
  });

  it('an SSE reader on a node that is SIGKILLed resumes on another with Last-Event-ID: 0 missing, 0 duplicated, 0 out of order', async () => {
    const database = ++db;
    const httpA = await freePort();
    // Node A is a process of its own, so that it can die like a crashed machine.
    await startBrokerProcess(nodeConfig(database, httpA), 60_000).then(async (a) => {
      const nodes = await Promise.all([node(database), node(database)]);
      const [b, c] = nodes;
      const publishers = await Promise.all(
        nodes.map((n, i) =>
          client(n.url('mqtt')!, { username: 'gerrit', password: 'pw', clientId: `gerrit-p${i}` }),
        ),
      );
      const acknowledged: string[] = [];
      const sending = publishers.map(async (publisher, p) => {
        for (let i = 0; i < COUNT / 2; i++) {
          const id = `p${p}-${i}`;
          await publisher.publishAsync(`site/p${p}`, JSON.stringify({ id }), { qos: 1 });
          acknowledged.push(id);
        }
      });

      const received: { id: string; cursor: string }[] = [];
      const take = (stream: SseStream, from: number): number => {
        let taken = from;
        for (; taken < stream.events.length; taken++) {
          const event = stream.events[taken]!;
          if (event.event !== 'message') continue;
          received.push({
            id: (JSON.parse(event.data) as { event: { id: string } }).event.id,
            cursor: event.id!,
          });
        }
        return taken;
      };
      const onA = await openSse(`http://127.0.0.1:${httpA}/v1/stream?since=${START}&service=site`);
      expect(onA.status).toBe(200);
      let takenA = 0;
      await waitFor(
        () => (takenA = take(onA, takenA)) > 0 && received.length >= COUNT / 4,
        60_000,
        'a quarter of the events on node A',
      );
      a.child.kill('SIGKILL');
      await onA.ended;
      take(onA, takenA);
      const beforeKill = received.length;
      const last = received.at(-1)!.cursor;
      const onB = await openSse(`${b.url('http')}/v1/stream?service=site`, { 'last-event-id': last });
      expect(onB.status).toBe(200);
      let takenB = 0;
      await Promise.all(sending);
      await waitFor(
        () => {
          takenB = take(onB, takenB);
          return received.length >= acknowledged.length;
        },
        60_000,
        `every acknowledged event through node B (${acknowledged.length})`,
      );
      onB.close();

      const seen = new Set(received.map((r) => r.id));
      const missing = acknowledged.filter((id) => !seen.has(id)).length;
      const duplicated = received.length - seen.size;
      let outOfOrder = 0;
      for (let i = 1; i < received.length; i++)
        if (received[i]!.cursor <= received[i - 1]!.cursor) outOfOrder++;
      console.log(
        `cluster SSE handover: published ${acknowledged.length}, received ${received.length} (${beforeKill} on A before its SIGKILL, the rest on B), missing ${missing}, duplicated ${duplicated}, out of order ${outOfOrder}`,
      );
      expect({ missing, duplicated, outOfOrder }).toEqual({ missing: 0, duplicated: 0, outOfOrder: 0 });
      // The order the reader got is the order every node's search gives.
      const search = (await getJson<Page>(`${c.url('http')}/v1/events?service=site&order=asc&limit=1000`))
        .body;
      expect(search.events.map((r) => r.cursor)).toEqual(
        received.slice(0, search.events.length).map((r) => r.cursor),
      );
    });
  });
});
