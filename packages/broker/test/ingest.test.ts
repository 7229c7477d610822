import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { eventId, type FirehoseEvent } from '@firehose/protocol';
import { describe, expect, it } from 'vitest';
import { hashPassword, type CreateBrokerOptions, type Logger } from '../src/index.js';
import { argocd, ci, github, gitlab } from './ingest-services.js';
import { client, connectCollecting, sleep, startBroker, waitFor } from './helpers.js';

const GITHUB_SECRET = 'github-webhook-secret';
const ENV = {
  TEST_GITHUB_SECRET: GITHUB_SECRET,
  TEST_GITLAB_SECRET: 'gitlab-token',
  TEST_ARGOCD_TOKEN: 'argo-token',
};

const pushBody = (after = '6dcb09b5b57875f334f61aebed695e2e4193db5e') => ({
  ref: 'refs/heads/main',
  before: '0000000000000000000000000000000000000000',
  after,
  repository: { id: 1296269, full_name: 'acme/widgets', private: false },
  pusher: { name: 'octocat' },
  sender: { login: 'octocat', id: 1 },
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** A real HTTP request; `chunks` sends the body chunked (no Content-Length). */
function post(
  url: string,
  headers: Record<string, string>,
  body: string | Buffer,
  options: { method?: string; chunked?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
        });
      });
    });
    req.on('error', reject);
    if (options.chunked === true) {
      const buffer = Buffer.from(body);
      for (let i = 0; i < buffer.length; i += 16_384) req.write(buffer.subarray(i, i + 16_384));
      req.end();
    } else {
      req.setHeader('content-length', Buffer.byteLength(body));
      req.end(body);
    }
  });
}

function signed(event: string, body: string, secret = GITHUB_SECRET): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
  };
}

function recordingLogger(): Logger & { lines: { level: string; obj: unknown; msg?: string }[] } {
  const lines: { level: string; obj: unknown; msg?: string }[] = [];
  const at = (level: string) => (obj: unknown, msg?: string) =>
    void lines.push({ level, obj, ...(msg === undefined ? {} : { msg }) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function setup(options: CreateBrokerOptions = {}, config: Parameters<typeof startBroker>[0] = {}) {
  const logger = recordingLogger();
  const broker = await startBroker(
    {
      listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } },
      catalogue: { interval: 0 },
      ...config,
    },
    { services: [github, gitlab, argocd, ci], env: ENV, logger, ...options },
  );
  const { seen, client: reader } = await connectCollecting(broker.url('mqtt')!);
  await reader.subscribeAsync(['#', '$firehose/invalid/#'], { qos: 1 });
  const ingest = (service: string) => `${broker.url('http')!}/v1/ingest/${service}`;
  const events = () =>
    seen
      .filter((m) => !m.topic.startsWith('$') && !m.topic.startsWith('undeclared/'))
      .map((m) => ({ topic: m.topic, event: JSON.parse(m.payload.toString()) as FirehoseEvent }));
  return { broker, seen, events, ingest, logger };
}

describe('HTTP intake: POST /v1/ingest/<service>', () => {
  it('publishes a signed GitHub push as an envelope with the id of its declared identity, after which a redelivery keeps the id', async () => {
    const { ingest, events } = await setup();
    const body = JSON.stringify(pushBody());
    const first = await post(ingest('github'), signed('push', body), body);
    expect(first.status).toBe(202);
    const id = eventId('https://github.com/acme', [
      'github.push',
      '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      1296269,
    ]);
    expect(first.body).toEqual({ id, type: 'github.push', topic: 'github/acme/widgets/push' });
    // GitHub redelivers the same body: same id, so consumers dedupe.
    const again = await post(ingest('github'), signed('push', body), body);
    expect(again.body.id).toBe(id);
    await waitFor(() => events().length === 2);
    const { topic, event } = events()[0]!;
    expect(topic).toBe('github/acme/widgets/push');
    expect(event).toMatchObject({
      specversion: '1.0',
      id,
      source: 'https://github.com/acme',
      type: 'github.push',
      dataschema: 'urn:firehose:schema:github.push:1',
      subject: 'acme/widgets/commit/6dcb09b5b57875f334f61aebed695e2e4193db5e',
      data: pushBody(),
    });
  });

  it('refuses a wrong or missing signature with 401, counts it in /metrics, logs the sender at warn and publishes nothing', async () => {
    const { broker, ingest, events, logger } = await setup();
    const body = JSON.stringify(pushBody());
    const wrong = await post(ingest('github'), signed('push', body, 'not-the-secret'), body);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect(JSON.stringify(wrong.body)).not.toContain(GITHUB_SECRET);
    // Signed for another body: the signature covers the raw bytes.
    const tampered = await post(ingest('github'), signed('push', body), body.replace('octocat', 'mallory'));
    expect(tampered.status).toBe(401);
    const missing = await post(
      ingest('github'),
      { 'content-type': 'application/json', 'x-github-event': 'push' },
      body,
    );
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({
      error: { message: expect.stringContaining('X-Hub-Signature-256') as unknown },
    });
    const metrics = await fetch(`${broker.url('http')!}/metrics`).then((r) => r.text());
    expect(metrics).toContain('firehose_refused_total{reason="ingest_unauthorized"} 3');
    const warnings = logger.lines.filter((l) => l.level === 'warn' && l.msg?.startsWith('webhook refused'));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]!.obj).toMatchObject({ service: 'github', ip: '127.0.0.1' });
    expect(JSON.stringify(logger.lines)).not.toContain(GITHUB_SECRET);
    await sleep(100);
    expect(events()).toEqual([]);
  });

  it('answers 413 to a body over limits.maxPacketBytes, declared or chunked, before parsing it', async () => {
    const { broker, ingest, events } = await setup({}, { limits: { maxPacketBytes: 4096 } });
    const big = JSON.stringify({ ...pushBody(), padding: 'x'.repeat(10_000) });
    const declared = await post(ingest('github'), signed('push', big), big);
    expect(declared.status).toBe(413);
    expect(declared.body).toMatchObject({
      error: { code: 'TOO_LARGE', message: expect.stringContaining('4096') as unknown },
    });
    const chunked = await post(ingest('github'), signed('push', big), big, { chunked: true });
    expect(chunked.status).toBe(413);
    expect(broker.stats.droppedCount('ingest_too_large')).toBe(2);
    // The connection was left usable: a normal request still goes through.
    const body = JSON.stringify(pushBody());
    expect((await post(ingest('github'), signed('push', body), body)).status).toBe(202);
    await waitFor(() => events().length === 1);
  });

  it('refuses an invalid body with a 4xx naming the field, publishes nothing, and records it like an MQTT publish', async () => {
    const { broker, ingest, events, seen } = await setup();
    const bad = pushBody() as Record<string, unknown>;
    bad.repository = { id: 'not-a-number', full_name: 'acme/widgets' };
    const body = JSON.stringify(bad);
    const reply = await post(ingest('github'), signed('push', body), body);
    expect(reply.status).toBe(422);
    expect(reply.body).toMatchObject({ error: { code: 'INVALID_PAYLOAD', path: '/data/repository/id' } });
    const notJson = '{"ref": "refs/heads/main",';
    const broken = await post(ingest('github'), signed('push', notJson), notJson);
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({
      error: { code: 'INVALID_PAYLOAD', message: expect.stringContaining('not JSON') as unknown },
    });
    await waitFor(() => seen.some((m) => m.topic === '$firehose/invalid/github'));
    const record = JSON.parse(
      seen.find((m) => m.topic === '$firehose/invalid/github')!.payload.toString(),
    ) as Record<string, unknown>;
    expect(record).toMatchObject({
      publisher: 'ingest/github',
      status: 'invalid',
      path: '/data/repository/id',
      eventType: 'github.push',
    });
    expect(broker.stats.droppedCount('invalid')).toBe(1);
    await sleep(100);
    expect(events()).toEqual([]);
  });

  it("answers GitHub's ping, and refuses an event the catalogue does not declare with a sentence listing what it takes", async () => {
    const { ingest, events } = await setup();
    const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const pong = await post(ingest('github'), signed('ping', ping), ping);
    expect(pong.status).toBe(200);
    expect(pong.body).toMatchObject({ ok: true, events: ['push', 'pull_request'] });
    const issue = JSON.stringify({ action: 'opened' });
    const unknown = await post(ingest('github'), signed('issues', issue), issue);
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({
      error: {
        code: 'UNKNOWN_EVENT_TYPE',
        message:
          'github declares no event for the header X-GitHub-Event this request sent; it takes push, pull_request.',
      },
    });
    const headers = signed('push', issue);
    delete headers['x-github-event'];
    const none = await post(ingest('github'), headers, issue);
    expect(none.status).toBe(422);
    expect(none.body).toMatchObject({
      error: { message: expect.stringContaining('no header X-GitHub-Event') as unknown },
    });
    await sleep(100);
    expect(events()).toEqual([]);
  });

  it('takes GitLab by X-Gitlab-Token and a JSON pointer, and others by a bearer token', async () => {
    const { ingest, events } = await setup();
    const gitlabBody = JSON.stringify({
      object_kind: 'push',
      checkout_sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      project: { path_with_namespace: 'group/app' },
    });
    expect((await post(ingest('gitlab'), { 'x-gitlab-token': 'wrong' }, gitlabBody)).status).toBe(401);
    expect((await post(ingest('gitlab'), { 'x-gitlab-token': 'gitlab-token' }, gitlabBody)).status).toBe(202);
    const sync = JSON.stringify({ app: 'guestbook', revision: 'abc123', phase: 'Succeeded' });
    expect(
      (await post(ingest('argocd'), { authorization: 'Bearer nope', 'x-event': 'sync' }, sync)).status,
    ).toBe(401);
    expect((await post(ingest('argocd'), { 'x-event': 'sync' }, sync)).status).toBe(401);
    expect(
      (await post(ingest('argocd'), { authorization: 'Bearer argo-token', 'x-event': 'sync' }, sync)).status,
    ).toBe(202);
    await waitFor(() => events().length === 2);
    expect(events().map((e) => [e.topic, e.event.type])).toEqual([
      ['gitlab/group/app/push', 'gitlab.push'],
      ['argocd/guestbook/sync', 'argocd.sync'],
    ]);
  });

  it('answers sentences for a service without an intake, a GET, and a secret missing from the environment', async () => {
    const { ingest } = await setup({ env: {} });
    const body = JSON.stringify(pushBody());
    const unknown = await post(ingest('jenkins'), {}, '{}');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      error: {
        message: expect.stringContaining(
          '/v1/ingest/github, /v1/ingest/gitlab, /v1/ingest/argocd',
        ) as unknown,
      },
    });
    expect((await post(ingest('ci'), {}, '{}')).status).toBe(404);
    const get = await post(ingest('github'), {}, '', { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const unset = await post(ingest('github'), signed('push', body), body);
    expect(unset.status).toBe(503);
    expect(unset.body).toMatchObject({
      error: { message: expect.stringContaining('TEST_GITHUB_SECRET') as unknown },
    });
  });
});

describe('raw MQTT publishers: accounts with payload: data', () => {
  it("wraps a raw JSON payload from a real MQTT client in its topic's envelope, and diverts one that is not JSON", async () => {
    const { broker, events, seen } = await setup(
      {},
      {
        accounts: {
          ci: { password: await hashPassword('pw'), write: ['ci/#', 'undeclared/#'], payload: 'data' },
          sdk: { password: await hashPassword('pw'), write: ['ci/#'] },
        },
      },
    );
    const reporter = await client(broker.url('mqtt')!, { username: 'ci', password: 'pw' });
    const raw = { uuid: 'b1f0c2', pipeline: 'gate', project: 'acme/widgets', result: 'SUCCESS' };
    await reporter.publishAsync('ci/gate/acme/widgets/build', JSON.stringify(raw), { qos: 1 });
    await reporter.publishAsync('ci/gate/acme/widgets/build', 'not json', { qos: 1 });
    await reporter.publishAsync('undeclared/thing', 'plain text', { qos: 1 });
    // An envelope account on the same topic still has to send envelopes.
    const sdk = await client(broker.url('mqtt')!, { username: 'sdk', password: 'pw' });
    await sdk.publishAsync('ci/gate/acme/widgets/build', JSON.stringify(raw), { qos: 1 });
    await waitFor(
      () =>
        events().length === 1 &&
        seen.some((m) => m.topic === 'undeclared/thing') &&
        seen.filter((m) => m.topic === '$firehose/invalid/ci').length === 2,
    );
    const wrapped = events()[0]!;
    expect(wrapped.event).toMatchObject({
      id: eventId('https://ci.example.org', ['ci.build', 'b1f0c2']),
      source: 'https://ci.example.org',
      type: 'ci.build',
      subject: 'acme/widgets/build/b1f0c2',
      data: raw,
    });
    // Undeclared topics have no event type to wrap into: they pass as sent.
    expect(seen.find((m) => m.topic === 'undeclared/thing')!.payload.toString()).toBe('plain text');
    const records = seen
      .filter((m) => m.topic === '$firehose/invalid/ci')
      .map((m) => JSON.parse(m.payload.toString()) as Record<string, unknown>);
    expect(records.map((r) => [r.publisher, r.code])).toEqual([
      ['ci', 'INVALID_PAYLOAD'],
      ['sdk', 'INVALID_ENVELOPE'],
    ]);
    expect(reporter.connected).toBe(true);
  });
});
