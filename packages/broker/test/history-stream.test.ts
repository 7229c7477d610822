import { describe, expect, it } from 'vitest';
import { getJson, historyBroker, type Page } from './history-broker.js';
import { openSse } from './history-sse.js';
import { client, waitFor } from './helpers.js';

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

function ids(events: { event: string; data: string }[]): string[] {
  return events
    .filter((e) => e.event === 'message')
    .map((e) => (JSON.parse(e.data) as { event: { id: string } }).event.id);
}

describe('GET /v1/stream', () => {
  it('pages the archive after since, then continues live: nothing missing, nothing twice, in order', async () => {
    const { broker, http } = await historyBroker();
    const pub = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    for (let i = 1; i <= 30; i++) await pub.publishAsync('site/a', `{"id":"e${i}"}`, { qos: 1 });
    const page = (await getJson<Page>(`${http}/v1/events?order=asc&limit=5`)).body;
    const fifth = page.events[4]!.cursor;
    const stream = await openSse(`${http}/v1/stream?since=${fifth}&service=site`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // Published while the archive is being paged: each arrives once, after the archive's.
    const live = Array.from({ length: 30 }, (_, i) =>
      pub.publishAsync('site/a', `{"id":"e${31 + i}"}`, { qos: i % 2 === 0 ? 0 : 1 }),
    );
    await Promise.all(live);
    const expected = Array.from({ length: 55 }, (_, i) => `e${i + 6}`);
    await waitFor(() => stream.events.length >= 55);
    expect(ids(stream.events)).toEqual(expected);
    const cursors = stream.events.map((e) => e.id!);
    expect([...cursors].sort()).toEqual(cursors);
    expect(JSON.parse(stream.events[0]!.data)).toMatchObject({ cursor: cursors[0], topic: 'site/a' });
    stream.close();
  });

  it('resumes from Last-Event-ID, which wins over since (an EventSource reconnects to the same URL); without either it is live only', async () => {
    const { broker, http } = await historyBroker();
    const pub = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    for (let i = 1; i <= 10; i++) await pub.publishAsync('site/b', `{"id":"r${i}"}`, { qos: 1 });
    const all = (await getJson<Page>(`${http}/v1/events?order=asc`)).body.events;
    const resumed = await openSse(`${http}/v1/stream`, { 'last-event-id': all[6]!.cursor });
    await waitFor(() => resumed.events.length === 3);
    expect(ids(resumed.events)).toEqual(['r8', 'r9', 'r10']);
    // What an EventSource sends when it reconnects: its first URL, and the last id it saw.
    const both = await openSse(`${http}/v1/stream?since=${all[1]!.cursor}`, {
      'last-event-id': all[8]!.cursor,
    });
    await waitFor(() => both.events.length >= 1);
    const byTime = await openSse(`${http}/v1/stream?since=-5m`, { 'last-event-id': all[7]!.cursor });
    await waitFor(() => byTime.events.length >= 2);
    const liveOnly = await openSse(`${http}/v1/stream?topic=site/%23`);
    await waitFor(() => liveOnly.comments.length > 0);
    await pub.publishAsync('site/b', '{"id":"r11"}', { qos: 1 });
    await waitFor(
      () =>
        liveOnly.events.length === 1 &&
        both.events.length >= 2 &&
        byTime.events.length >= 3 &&
        resumed.events.length === 4,
    );
    expect(ids(liveOnly.events)).toEqual(['r11']);
    expect(ids(both.events)).toEqual(['r10', 'r11']);
    expect(ids(byTime.events)).toEqual(['r9', 'r10', 'r11']);
    for (const s of [resumed, both, byTime, liveOnly]) s.close();
  });

  it('starts from a time with since=-5m, and filters server-side with where', async () => {
    const { broker, http } = await historyBroker();
    const pub = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    for (let i = 1; i <= 6; i++)
      await pub.publishAsync('site/c', JSON.stringify({ id: `w${i}`, data: { n: i } }), { qos: 1 });
    const where = encodeURIComponent('data.n ~ /^[4-9]$/');
    const stream = await openSse(`${http}/v1/stream?since=-5m&where=${where}`);
    await waitFor(() => stream.events.length === 3);
    await pub.publishAsync('site/c', JSON.stringify({ id: 'w7', data: { n: 7 } }), { qos: 1 });
    await pub.publishAsync('site/c', JSON.stringify({ id: 'w0', data: { n: 0 } }), { qos: 1 });
    await waitFor(() => stream.events.length === 4);
    expect(ids(stream.events)).toEqual(['w4', 'w5', 'w6', 'w7']);
    const search = await getJson<Page>(
      `${http}/v1/events?where=${encodeURIComponent('data.n ~ /^[01]$/ and topic = site/c')}`,
    );
    expect(search.body.events.map((e) => e.event.id)).toEqual(['w0', 'w1']);
    const bad = await getJson<{ error: { parameter: string; message: string } }>(
      `${http}/v1/events?where=${encodeURIComponent('data.n =')}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.parameter).toBe('where');
    expect(bad.body.error.message).toMatch(/where must be a predicate in the SDK's grammar/);
    stream.close();
  });

  it('reads with the MQTT read ACL: anonymous never sees what it cannot subscribe to; Basic accounts see theirs', async () => {
    const { broker, http } = await historyBroker();
    const pub = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    await pub.publishAsync('site/secret/x', '{"id":"s1"}', { qos: 1 });
    await pub.publishAsync('site/open', '{"id":"o1"}', { qos: 1 });
    const anonymous = await openSse(`${http}/v1/stream?since=-1h`);
    const ops = await openSse(`${http}/v1/stream?since=-1h`, basic('ops', 'pw'));
    await waitFor(() => anonymous.events.length === 1 && ops.events.length === 2);
    await pub.publishAsync('site/secret/y', '{"id":"s2"}', { qos: 1 });
    await pub.publishAsync('site/open', '{"id":"o2"}', { qos: 1 });
    await waitFor(() => anonymous.events.length === 2 && ops.events.length === 4);
    expect(ids(anonymous.events)).toEqual(['o1', 'o2']);
    expect(ids(ops.events)).toEqual(['s1', 'o1', 's2', 'o2']);
    const asOps = await getJson<Page>(`${http}/v1/events?service=site`, basic('ops', 'pw'));
    expect(asOps.body.events.map((e) => e.event.id)).toEqual(['o2', 's2', 'o1', 's1']);
    for (const headers of [basic('ops', 'wrong'), basic('nobody', 'pw'), { authorization: 'Bearer x' }]) {
      const refused = await getJson<{ error: { code: string } }>(`${http}/v1/events`, headers);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Basic realm="firehose"');
      expect(refused.body.error.code).toBe('UNAUTHORIZED');
    }
    anonymous.close();
    ops.close();
  });

  it('caps streams per address with 429 and Retry-After, and frees the slot when a stream ends', async () => {
    const { http } = await historyBroker({ history: { enabled: true, streamsPerIp: 2 } });
    const a = await openSse(`${http}/v1/stream`);
    const b = await openSse(`${http}/v1/stream`);
    const c = await openSse(`${http}/v1/stream`);
    expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
    expect(c.headers.get('retry-after')).toMatch(/^\d+$/);
    a.close();
    await waitFor(async () => {
      const d = await openSse(`${http}/v1/stream`);
      d.close();
      return d.status === 200;
    });
    b.close();
  });

  it('sends heartbeat comments', async () => {
    const { http } = await historyBroker({}, undefined, {});
    const stream = await openSse(`${http}/v1/stream`);
    expect(stream.status).toBe(200);
    // The first comment is sent at once; the 15 s heartbeat is covered by the stream code's timer.
    await waitFor(() => stream.comments.length >= 1);
    stream.close();
  });

  it('answers bad stream parameters with a 400 naming them', async () => {
    const { http } = await historyBroker();
    const cases: [string, Record<string, string>, string][] = [
      ['since=soon', {}, 'since'],
      ['', { 'last-event-id': 'not-a-cursor' }, 'Last-Event-ID'],
      ['since=soon', { 'last-event-id': '0000000000000001' }, 'since'],
      ['from=-1h', {}, 'from'],
      ['limit=5', {}, 'limit'],
      ['where=%3D%3D', {}, 'where'],
    ];
    for (const [query, headers, parameter] of cases) {
      const res = await getJson<{ error: { code: string; parameter: string } }>(
        `${http}/v1/stream?${query}`,
        headers,
      );
      expect(res.status, query).toBe(400);
      expect(res.body.error.parameter, query).toBe(parameter);
    }
  });

  it('serves its OpenAPI 3.1 description, naming the declared keys', async () => {
    const { http } = await historyBroker();
    const doc = await getJson<{
      openapi: string;
      paths: Record<string, { get: { parameters: { name: string }[] } }>;
    }>(`${http}/v1/openapi.json`);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(['/v1/events', '/v1/events/{key}', '/v1/stream']);
    expect(doc.body.paths['/v1/events']!.get.parameters.map((p) => p.name)).toContain('project');
  });
});
