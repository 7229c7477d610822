import { describe, expect, it } from 'vitest';
import { archivePath, getJson, historyBroker, type Page } from './history-broker.js';
import { client, gerritCommentAdded, startBroker, waitFor } from './helpers.js';

function commentTopic(change: number): string {
  return `gerrit/openstack/nova/comment-added`.replace('nova', change % 2 === 0 ? 'nova' : 'neutron');
}

function commentEvent(change: number) {
  const event = gerritCommentAdded(change);
  const data = event.data as { change: { project: string } };
  data.change.project = change % 2 === 0 ? 'openstack/nova' : 'openstack/neutron';
  return event;
}

describe('history archive and GET /v1/events', () => {
  it('archives accepted events with fixed-width cursors and searches them by key, type, topic and time', async () => {
    const { broker, http } = await historyBroker();
    const pub = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    for (let change = 1; change <= 6; change++)
      await pub.publishAsync(commentTopic(change), JSON.stringify(commentEvent(change)), { qos: 1 });
    await pub.publishAsync('site/raw', 'not json', { qos: 1 }); // undeclared, not JSON: not archived
    await pub.publishAsync('site/other', '{"specversion":"1.0","id":"u1","type":"site.other","source":"x"}', {
      qos: 1,
    });
    await pub.publishAsync('gerrit/openstack/nova/comment-added', '{"broken":', { qos: 1 }); // invalid: never

    let all!: Page;
    await waitFor(async () => {
      all = (await getJson<Page>(`${http}/v1/events?order=asc`)).body;
      return all.events.length === 7;
    });
    expect(all.next).toBeNull();
    const cursors = all.events.map((e) => e.cursor);
    expect(cursors.every((c) => /^[0-9a-f]{16}$/.test(c))).toBe(true);
    expect([...cursors].sort()).toEqual(cursors);
    expect(all.events.map((e) => e.topic).at(-1)).toBe('site/other');

    const nova = await getJson<Page>(`${http}/v1/events?project=openstack/nova`);
    expect(
      nova.body.events.map((e) => (e.event.data as { change: { number: number } }).change.number),
    ).toEqual([6, 4, 2]);
    const byChange = await getJson<Page>(`${http}/v1/events?change=3&type=gerrit.comment-added`);
    expect(byChange.body.events).toHaveLength(1);
    const byTopic = await getJson<Page>(`${http}/v1/events?topic=gerrit/openstack/neutron/%23&order=asc`);
    expect(byTopic.body.events).toHaveLength(3);
    const service = await getJson<Page>(`${http}/v1/events?service=site`);
    expect(service.body.events.map((e) => e.event.id)).toEqual(['u1']);
    const future = await getJson<Page>(
      `${http}/v1/events?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    expect(future.body.events).toEqual([]);
    const recent = await getJson<Page>(`${http}/v1/events?from=-5m&to=-0s`);
    expect(recent.body.events).toHaveLength(7);

    // Keyset paging: limit 2 → next, following next visits every event once, in order.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = (
        await getJson<Page>(`${http}/v1/events?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).body;
      seen.push(...page.events.map((e) => e.cursor));
      cursor = page.next;
    } while (cursor !== null);
    expect(seen).toEqual([...cursors].reverse());

    // One event by cursor and by CloudEvents id.
    const first = all.events[0]!;
    expect((await getJson<Page['events'][number]>(`${http}/v1/events/${first.cursor}`)).body.event.id).toBe(
      first.event.id,
    );
    expect((await getJson<Page['events'][number]>(`${http}/v1/events/${first.event.id}`)).body.cursor).toBe(
      first.cursor,
    );
    expect((await getJson<unknown>(`${http}/v1/events/ffffffffffffff00`)).status).toBe(404);
  });

  it('never returns what the anonymous reader may not subscribe to', async () => {
    const { broker, http } = await historyBroker();
    const pub = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    await pub.publishAsync('site/secret/a', '{"id":"s1","type":"site.secret"}', { qos: 1 });
    await pub.publishAsync('site/open', '{"id":"o1","type":"site.open"}', { qos: 1 });
    await waitFor(async () => (await getJson<Page>(`${http}/v1/events/o1`)).status === 200);
    const page = await getJson<Page>(`${http}/v1/events?service=site`);
    expect(page.body.events.map((e) => e.event.id)).toEqual(['o1']);
    expect((await getJson<unknown>(`${http}/v1/events/s1`)).status).toBe(404);
  });

  it('keeps cursors across a restart: the new run numbers after every old cursor', async () => {
    const path = archivePath('restart');
    const first = await historyBroker({}, path);
    const pub = await client(first.broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    await pub.publishAsync('site/a', '{"id":"a"}', { qos: 1 });
    await waitFor(async () => (await getJson<Page>(`${first.http}/v1/events`)).body.events.length === 1);
    const before = (await getJson<Page>(`${first.http}/v1/events`)).body.events[0]!.cursor;
    await first.broker.close();
    const second = await historyBroker({}, path);
    const pub2 = await client(second.broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    await pub2.publishAsync('site/b', '{"id":"b"}', { qos: 1 });
    await waitFor(async () => (await getJson<Page>(`${second.http}/v1/events`)).body.events.length === 2);
    const after = await getJson<Page>(`${second.http}/v1/events?cursor=${before}&order=asc`);
    expect(after.body.events.map((e) => e.event.id)).toEqual(['b']);
    expect(after.body.events[0]!.cursor > before).toBe(true);
  });

  it('answers every bad parameter with a 400 naming it', async () => {
    const { http } = await historyBroker();
    const cases: [string, string, RegExp][] = [
      ['limit=0', 'limit', /limit must be an integer 1–1000/],
      ['limit=1001', 'limit', /limit must be/],
      ['order=up', 'order', /order must be asc or desc/],
      ['cursor=xyz', 'cursor', /cursor must be a cursor/],
      ['from=yesterday', 'from', /from must be an ISO 8601 time/],
      ['to=-2x', 'to', /to must be an ISO 8601 time/],
      ['from=-1h&to=-2h', 'to', /to must not be before from/],
      ['topic=a/%23/b', 'topic', /topic must be an MQTT topic filter/],
      ['type=nodot', 'type', /type must be CloudEvents types/],
      ['service=a/b', 'service', /service must be a service name/],
      ['colour=red', 'colour', /colour is not a parameter or declared search key/],
      ['since=-1h', 'since', /since is not a parameter of this endpoint/],
      ['project=', 'project', /project needs a value/],
      ['limit=1&limit=2', 'limit', /limit may be given once/],
    ];
    for (const [query, parameter, message] of cases) {
      const res = await getJson<{ error: { code: string; message: string; parameter: string } }>(
        `${http}/v1/events?${query}`,
      );
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('BAD_PARAMETER');
      expect(res.body.error.parameter, query).toBe(parameter);
      expect(res.body.error.message, query).toMatch(message);
    }
  });

  it('answers 503 HISTORY_OFF when history is off', async () => {
    const broker = await startBroker({ listeners: { http: { host: '127.0.0.1', port: 0 } } });
    const res = await getJson<{ error: { code: string; message: string } }>(
      `${broker.url('http')!}/v1/events`,
    );
    expect(res.status).toBe(503);
    expect(res.body.error).toEqual({
      code: 'HISTORY_OFF',
      message: expect.stringMatching(/history.enabled/),
    });
  });

  it('counts events past the queue bound as history_overflow and still delivers them', async () => {
    const { broker, http } = await historyBroker({
      history: { enabled: true, path: archivePath('small'), queue: 100 },
    });
    const pub = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    const sub = await client(broker.url('mqtt')!);
    let received = 0;
    sub.on('message', () => received++);
    await sub.subscribeAsync('site/#');
    // One synchronous burst: more than the bound is queued before the writer can take any.
    for (let i = 0; i < 1000; i++) pub.publish('site/burst', `{"id":"b${i}"}`, { qos: 0 });
    await waitFor(() => received === 1000);
    await waitFor(() => broker.stats.droppedCount('history_overflow') > 0);
    const metrics = await (await fetch(`${http}/metrics`)).text();
    expect(metrics).toMatch(/firehose_refused_total\{reason="history_overflow"\} [1-9]/);
  });
});
