import { describe, expect, it } from 'vitest';
import { getJson, historyBroker, type Page } from './history-broker.js';
import { openSse } from './history-sse.js';
import { client, startBroker, waitFor } from './helpers.js';

const ORIGIN = 'https://dashboard.example';

/** What every `/v1/` response carries (contract B.1). */
function expectCors(headers: Headers, what: string): void {
  expect(headers.get('access-control-allow-origin'), what).toBe('*');
  expect(headers.get('access-control-expose-headers'), what).toBe('Retry-After');
}

describe('CORS on the history API', () => {
  it('answers a preflight with 204 and puts Allow-Origin on 200s, 4xx, 5xx and the stream; not on /metrics', async () => {
    const { broker, http } = await historyBroker();
    const pub = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    await pub.publishAsync('site/a', '{"id":"c1"}', { qos: 1 });

    for (const path of ['/v1/events', '/v1/stream', '/v1/events/abc']) {
      const preflight = await fetch(`${http}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: ORIGIN,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization, last-event-id',
        },
      });
      expect(preflight.status, path).toBe(204);
      expectCors(preflight.headers, `preflight ${path}`);
      expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, HEAD');
      expect(preflight.headers.get('access-control-allow-headers')).toBe('Authorization, Last-Event-ID');
      expect(preflight.headers.get('access-control-max-age')).toBe('600');
    }

    let page!: Awaited<ReturnType<typeof getJson<Page>>>;
    await waitFor(async () => {
      page = await getJson<Page>(`${http}/v1/events`, { origin: ORIGIN });
      return page.body.events.length === 1;
    });
    expect(page.status).toBe(200);
    expectCors(page.headers, '200 search');

    const one = await getJson(`${http}/v1/events/${page.body.events[0]!.cursor}`, { origin: ORIGIN });
    expect(one.status).toBe(200);
    expectCors(one.headers, '200 one event');

    const openapi = await getJson(`${http}/v1/openapi.json`, { origin: ORIGIN });
    expect(openapi.status).toBe(200);
    expectCors(openapi.headers, 'openapi');

    const bad = await getJson(`${http}/v1/events?limit=0`, { origin: ORIGIN });
    expect(bad.status).toBe(400);
    expectCors(bad.headers, '400');

    const missing = await getJson(`${http}/v1/nothing`, { origin: ORIGIN });
    expect(missing.status).toBe(404);
    expectCors(missing.headers, '404');

    const refused = await getJson(`${http}/v1/events`, {
      origin: ORIGIN,
      authorization: `Basic ${Buffer.from('gerrit:wrong').toString('base64')}`,
    });
    expect(refused.status).toBe(401);
    expectCors(refused.headers, '401');

    const stream = await openSse(`${http}/v1/stream?since=-10m`, { origin: ORIGIN });
    expect(stream.status).toBe(200);
    expectCors(stream.headers, 'stream');
    await waitFor(() => stream.events.length === 1);
    stream.close();

    const metrics = await fetch(`${http}/metrics`, { headers: { origin: ORIGIN } });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('access-control-allow-origin')).toBeNull();
    await metrics.text();
  });

  it('puts it on the 503 of a broker with history off', async () => {
    const broker = await startBroker({ listeners: { http: { host: '127.0.0.1', port: 0 } } });
    const res = await getJson(`${broker.url('http')!}/v1/events`, { origin: ORIGIN });
    expect(res.status).toBe(503);
    expectCors(res.headers, '503');
  });
});
