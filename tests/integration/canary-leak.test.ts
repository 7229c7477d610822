import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { hashPassword } from '@firehose/broker';
import { startDashboardServer, type DashboardServer } from '@firehose/dashboard/server';
import { loadEnv, runCli } from '@firehose/cli';
import type { FirehoseEvent } from '@firehose/protocol';
import { ansible, createServiceEvent, services, type EventType } from '@firehose/schema';
import { temporaryDirectory, waitFor } from '@firehose/test-support';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The broker's config and catalogue files and the dashboard's stand-in page, removed after the file.
const scratch = temporaryDirectory('canary');

/*
 * The canary leak suite: plant a distinct canary string everywhere a secret can enter the broker,
 * collect everything an anonymous reader can get (and the broker's log at info and warn), and
 * assert that no canary appears anywhere. It runs the broker the way operators do: the real
 * `firehose broker --config FILE` command (in-process, so its pino log is captured), with real
 * MQTT clients over TCP and WebSocket and real HTTP requests.
 *
 * Extend it, do not fork it: every new way in for a secret joins PLANTINGS, every new thing an
 * anonymous reader (or the log) can see joins SURFACES. The history API and webhook intake (a
 * webhook secret is a canary) must join when they land; so must any new HTTP route or topic tree.
 */

const HOST = '127.0.0.1';
const require = createRequire(import.meta.url);

/** `CANARY-<what>-<random>`: short enough that a message quoting 40 characters would quote it whole. */
const canary = (what: string): string => `CANARY-${what}-${randomBytes(4).toString('hex')}`;

interface Broker {
  mqtt: string;
  ws: string;
  http: string;
  /** Everything the broker logged so far (JSON lines, level info and up). */
  log(): string;
}

/** A way in for a secret; `plant` runs once the broker is up (config plantings need none). */
interface Planting {
  readonly name: string;
  readonly secrets: readonly string[];
  plant?(broker: Broker): Promise<void>;
}

/** Something an anonymous reader can read. `start` runs before the plantings, `read` after them. */
interface Surface {
  readonly name: string;
  start?(broker: Broker): Promise<void>;
  read(broker: Broker): Promise<string>;
}

const ACCOUNTS = services.map((s) => s.name);
const passwords = Object.fromEntries(ACCOUNTS.map((name) => [name, canary(`right-password-${name}`)]));
const opsPassword = canary('right-password-ops');
const configComment = canary('config-file');
const hashes: Readonly<Record<string, string>> = Object.fromEntries(
  await Promise.all(
    [...ACCOUNTS.map((name) => [name, passwords[name]!] as const), ['ops', opsPassword] as const].map(
      async ([name, pw]) => [name, await hashPassword(pw)] as const,
    ),
  ),
);

const open: MqttClient[] = [];
async function connect(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 30_000, ...options });
  open.push(client);
  return client;
}

const EVERYTHING = ['#', '$SYS/#', '$firehose/#'];

/** An anonymous reader of everything: `#`, `$SYS/#` and `$firehose/#` (QoS 1). */
async function anonymousReader(
  url: string,
  filters = EVERYTHING,
): Promise<{ client: MqttClient; seen: { topic: string; payload: string }[] }> {
  const client = await connect(url);
  const seen: { topic: string; payload: string }[] = [];
  client.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString('utf8') }));
  await client.subscribeAsync(filters, { qos: 1 });
  return { client, seen };
}

const dump = (seen: { topic: string; payload: string }[]): string =>
  seen.map((m) => `${m.topic}\n${m.payload}`).join('\n');

function fixtureData(eventType: EventType): {
  data: Record<string, unknown>;
  params: Record<string, string>;
} {
  return JSON.parse(
    readFileSync(
      require.resolve(`@firehose/schema/fixtures/${eventType.service}/${eventType.event}.json`),
      'utf8',
    ),
  ) as {
    data: Record<string, unknown>;
    params: Record<string, string>;
  };
}

/** Publishes as `service`'s account and waits for the PUBACK (refused publishes are acknowledged too). */
async function publishAs(broker: Broker, service: string, topic: string, payload: string): Promise<void> {
  const client = await connect(broker.mqtt, { username: service, password: passwords[service] });
  await client.publishAsync(topic, payload, { qos: 1 });
  await client.endAsync();
}

/** Ways an invalid publish can carry a secret: each quotes it where a careless record would repeat it. */
const INVALID_SHAPES: readonly { name: string; payload(event: FirehoseEvent, secret: string): string }[] = [
  // INVALID_PAYLOAD "…got the string "<secret>"": the schema error quotes the value.
  { name: 'data-value', payload: (event, secret) => JSON.stringify({ ...event, data: secret }) },
  // INVALID_ENVELOPE: JSON.parse's message quotes the text around the error.
  { name: 'not-json', payload: (_, secret) => `{"token": ${secret}` },
  // INVALID_ENVELOPE "…got "<secret>"": the envelope check quotes the field.
  { name: 'envelope-field', payload: (event, secret) => JSON.stringify({ ...event, specversion: secret }) },
  // TOPIC_MISMATCH "…the envelope type is "<secret>"".
  { name: 'envelope-type', payload: (event, secret) => JSON.stringify({ ...event, type: secret }) },
  // Only in the payload's bytes (an extra field, first so that the excerpt's cap keeps it, next
  // to an error elsewhere): what the excerpt used to carry to everyone.
  {
    name: 'excerpt-only',
    payload: (event, secret) => JSON.stringify({ api_token: secret, ...event, specversion: '0.3' }),
  },
];

const invalidPlantings: (Planting & { service: string; detail: boolean })[] = services.flatMap((service) =>
  INVALID_SHAPES.map((shape) => {
    const secret = canary(`${service.name}-${shape.name}`);
    return {
      name: `an invalid ${service.name} publish (${shape.name})`,
      service: service.name,
      detail: true,
      secrets: [secret],
      async plant(broker: Broker) {
        const eventType = service.eventTypes[0]!;
        const { data, params } = fixtureData(eventType);
        const event = createServiceEvent(eventType, data as never, {});
        await publishAs(broker, service.name, eventType.topicFor(data, params), shape.payload(event, secret));
      },
    };
  }),
);

/*
 * The webhook intake (`POST /v1/ingest/<service>`) of two site services from a catalogue file: a
 * bearer token and a GitHub HMAC key (held in the broker's environment), wrong ones, and secrets in
 * the bodies. The answers go to whoever sent the request, so they are a surface too.
 */
const intakeToken = canary('intake-token');
const intakeHmacKey = canary('intake-hmac-key');
const wrongIntakeToken = canary('intake-wrong-token');
const wrongIntakeSignature = canary('intake-wrong-signature');
const intakeBadValue = canary('intake-bad-value');
const intakeNotJson = canary('intake-not-json');
const intakeSelector = canary('intake-selector');
const INTAKE_ENV = { FIREHOSE_CANARY_DEPLOY_TOKEN: intakeToken, FIREHOSE_CANARY_HUB_SECRET: intakeHmacKey };
const INTAKE_CATALOGUE = `firehose-catalogue: 1
services:
  deploys:
    description: Deploy notifications, with a bearer token
    source: https://deploy.example.org
    ingest: { auth: bearer, secretEnv: FIREHOSE_CANARY_DEPLOY_TOKEN, eventFrom: { pointer: /kind } }
    events:
      done:
        description: A deploy finished
        topic: deploys/{app}/done
        match: done
        params: { app: app }
        identity: [app, revision]
        schema:
          type: object
          required: [kind, app, revision]
          properties: { kind: { const: done }, app: { type: string }, revision: { type: string, pattern: '^[0-9a-f]+$' } }
  hub:
    description: GitHub-style webhooks, signed with HMAC
    source: https://hub.example.org
    ingest: { auth: github-hmac, secretEnv: FIREHOSE_CANARY_HUB_SECRET, eventFrom: { header: X-GitHub-Event } }
    events:
      push:
        description: A push
        topic: hub/{repo}/push
        match: push
        params: { repo: repo }
        identity: [repo, after]
        schema: { type: object, required: [repo, after], properties: { repo: { type: string }, after: { type: string } } }
`;
/** What the intake answered, in order: status, headers and body of each request. */
const intakeAnswers: string[] = [];

async function post(
  broker: Broker,
  path: string,
  body: string,
  headers: Record<string, string>,
  method = 'POST',
): Promise<number> {
  const response = await fetch(`${broker.http}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(method === 'POST' ? { body } : {}),
  });
  const shown: string[] = [];
  response.headers.forEach((value, name) => shown.push(`${name}: ${value}`));
  intakeAnswers.push(`${method} ${path} ${response.status}\n${shown.join('\n')}\n${await response.text()}`);
  return response.status;
}

const hubSignature = (body: string): string =>
  `sha256=${createHmac('sha256', intakeHmacKey).update(body).digest('hex')}`;

const intakePlantings: readonly Planting[] = [
  {
    name: 'the intake secrets (in the environment), sent right',
    secrets: [intakeToken, intakeHmacKey],
    async plant(broker) {
      const done = JSON.stringify({ kind: 'done', app: 'shop', revision: 'abc123' });
      expect(await post(broker, '/v1/ingest/deploys', done, { authorization: `Bearer ${intakeToken}` })).toBe(
        202,
      );
      const push = JSON.stringify({ repo: 'widgets', after: 'def456' });
      const signed = { 'x-github-event': 'push', 'x-hub-signature-256': hubSignature(push) };
      expect(await post(broker, '/v1/ingest/hub', push, signed)).toBe(202);
      const ping = JSON.stringify({ zen: 'Keep it logically awesome.' });
      const pinged = { 'x-github-event': 'ping', 'x-hub-signature-256': hubSignature(ping) };
      expect(await post(broker, '/v1/ingest/hub', ping, pinged)).toBe(200);
    },
  },
  {
    name: 'a wrong bearer token and a wrong HMAC signature',
    secrets: [wrongIntakeToken, wrongIntakeSignature],
    async plant(broker) {
      const done = JSON.stringify({ kind: 'done', app: 'shop', revision: 'abc124' });
      expect(
        await post(broker, '/v1/ingest/deploys', done, { authorization: `Bearer ${wrongIntakeToken}` }),
      ).toBe(401);
      expect(await post(broker, '/v1/ingest/deploys', done, {})).toBe(401);
      const signed = { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${wrongIntakeSignature}` };
      expect(await post(broker, '/v1/ingest/hub', '{}', signed)).toBe(401);
    },
  },
  {
    name: 'secrets in the bodies of authenticated webhooks: a bad value, not JSON, an unknown event',
    secrets: [intakeBadValue, intakeNotJson, intakeSelector],
    async plant(broker) {
      const auth = { authorization: `Bearer ${intakeToken}` };
      const bad = JSON.stringify({ kind: 'done', app: 'shop', revision: intakeBadValue });
      expect(await post(broker, '/v1/ingest/deploys', bad, auth)).toBe(422);
      expect(
        await post(broker, '/v1/ingest/deploys', `{"kind": "done", "token": ${intakeNotJson}}`, auth),
      ).toBe(400);
      const unknown = JSON.stringify({ kind: intakeSelector, app: 'shop', revision: 'abc125' });
      expect(await post(broker, '/v1/ingest/deploys', unknown, auth)).toBe(422);
      expect(await post(broker, '/v1/ingest/deploys', '', auth, 'GET')).toBe(405);
      expect(await post(broker, '/v1/ingest/nothing', '{}', auth)).toBe(404);
    },
  },
];

const noLogSecret = canary('ansible-no-log');
const wrongPassword = canary('wrong-password');
const unknownUserPassword = canary('unknown-user-password');
const sharedMemberId = canary('share'); // within aedes' 23-character client ids

/** Every way in for a secret. New ones (a webhook secret, once intake exists) join this list. */
const PLANTINGS: readonly Planting[] = [
  {
    name: 'the right passwords, in CONNECT (and hashed in the config)',
    secrets: [...Object.values(passwords), opsPassword],
  },
  {
    name: 'the password hashes in the config',
    // The whole hash and its digest alone (`--print-config` shows only cost parameters).
    secrets: Object.values(hashes).flatMap((hash) => [hash, hash.split('$').at(-1)!]),
  },
  { name: 'the config file itself', secrets: [configComment] },
  {
    name: 'a wrong password for an account, in CONNECT (TCP)',
    secrets: [wrongPassword],
    async plant(broker) {
      await expect(connect(broker.mqtt, { username: 'gerrit', password: wrongPassword })).rejects.toThrow(
        /Bad username or password|Not authorized/,
      );
    },
  },
  {
    name: 'a password for an unknown user, in CONNECT (WebSocket)',
    secrets: [unknownUserPassword],
    async plant(broker) {
      await expect(connect(broker.ws, { username: 'nobody', password: unknownUserPassword })).rejects.toThrow(
        /Bad username or password|Not authorized/,
      );
    },
  },
  {
    name: 'an ansible no_log task result',
    secrets: [noLogSecret],
    async plant(broker) {
      const { data } = fixtureData(ansible.taskResult);
      const event = createServiceEvent(ansible.taskResult, data as never, {});
      const leaking = {
        ...event,
        data: { ...event.data, ansible_result: { _ansible_no_log: true, password: noLogSecret } },
      };
      await publishAs(broker, 'ansible', ansible.taskResult.topicFor(leaking.data), JSON.stringify(leaking));
    },
  },
  {
    // Its group's member counts reach $SYS, /metrics and the catalogue; its client id must not
    // (a reader could take its session over [MQTT-3.1.4-2]).
    name: 'a shared-subscription member’s client id',
    secrets: [sharedMemberId],
    async plant(broker) {
      const member = await connect(broker.mqtt, { clientId: sharedMemberId });
      await member.subscribeAsync('$share/canary-workers/gerrit/#', { qos: 1 });
    },
  },
  {
    // No secret: a valid event, so the history surfaces are seen holding what was published.
    name: 'a valid event (the archive is read)',
    secrets: [],
    async plant(broker) {
      const { data } = fixtureData(ansible.taskResult);
      const event = createServiceEvent(ansible.taskResult, data as never, {});
      await publishAs(broker, 'ansible', ansible.taskResult.topicFor(event.data), JSON.stringify(event));
    },
  },
  ...intakePlantings,
  ...invalidPlantings,
];

const live = new Map<string, { client: MqttClient; seen: { topic: string; payload: string }[] }>();

/** A late anonymous subscriber: what is retained once everything was planted. */
function lateReader(kind: 'mqtt' | 'ws'): Surface {
  return {
    name: `MQTT over ${kind === 'mqtt' ? 'TCP' : 'WebSocket'}: #, $SYS/#, $firehose/# retained (a late subscriber)`,
    async read(broker) {
      const reader = await anonymousReader(broker[kind]);
      // Retained records of every service that refused something, and this node's stats.
      await waitFor(
        () =>
          ACCOUNTS.every((s) => reader.seen.some((m) => m.topic === `$firehose/invalid/${s}`)) &&
          reader.seen.some((m) => /^\$SYS\/firehose\/[^/]+\/stats$/.test(m.topic)),
        60_000,
        'the retained records',
      );
      return dump(reader.seen);
    },
  };
}

function liveReader(kind: 'mqtt' | 'ws', filters = EVERYTHING): Surface {
  const name = `MQTT over ${kind === 'mqtt' ? 'TCP' : 'WebSocket'}: ${filters.join(', ')} live`;
  return {
    name,
    async start(broker) {
      live.set(name, await anonymousReader(broker[kind], filters));
    },
    read: () => Promise.resolve(dump(live.get(name)!.seen)),
  };
}

/** An anonymous subscription straight to the detail tree: refused (SUBACK 0x80), and nothing arrives. */
function detailTreeReader(): Surface {
  const seen: { topic: string; payload: string }[] = [];
  let granted = -1;
  return {
    name: 'MQTT over TCP: $firehose/invalid-detail/# (anonymous)',
    async start(broker) {
      const client = await connect(broker.mqtt);
      client.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString('utf8') }));
      try {
        granted = (await client.subscribeAsync('$firehose/invalid-detail/#', { qos: 1 }))[0]!.qos;
      } catch (error) {
        // MQTT.js rejects a SUBACK 0x80.
        granted = (error as { packet?: { granted?: number[] } }).packet?.granted?.[0] ?? -1;
      }
    },
    read: () => {
      expect(granted).toBe(128);
      return Promise.resolve(dump(seen));
    },
  };
}

/**
 * The dashboard's page server forwarding `/v1/` to the broker (`historyUpstream`, as `pnpm demo`
 * runs it): what a browser on the page's origin can read of the archive, and the page itself.
 */
function dashboardForward(): Surface {
  let server: DashboardServer | undefined;
  return {
    name: 'the dashboard server forwarding /v1/ to the history API',
    async start(broker) {
      // A stand-in for dist/ (only the page's meta tags matter here), so no build is needed.
      const root = mkdtempSync(join(scratch, 'dashboard-'));
      writeFileSync(
        join(root, 'index.html'),
        '<html><head><meta name="firehose-broker" content="" /><meta name="firehose-history" content="" /></head></html>',
      );
      server = await startDashboardServer({ port: 0, root, broker: broker.ws, historyUpstream: broker.http });
    },
    async read() {
      const texts: string[] = [];
      for (const path of ['', 'v1/events?order=asc&limit=1000', 'v1/events/no-such-id', 'v1/nothing']) {
        const response = await fetch(`${server!.url}${path}`);
        texts.push(`${response.status}\n${await response.text()}`);
      }
      await server!.close();
      return texts.join('\n');
    },
  };
}

function httpGet(path: string, method = 'GET'): Surface {
  return {
    name: `HTTP ${method} ${path}`,
    async read(broker) {
      const response = await fetch(`${broker.http}${path}`, { method });
      const headers: string[] = [];
      response.headers.forEach((value, name) => headers.push(`${name}: ${value}`));
      return `${response.status}\n${headers.join('\n')}\n${await response.text()}`;
    },
  };
}

/** A Server-Sent Events route: what it sent in its first second and a half (it never ends by itself). */
function sseGet(path: string): Surface {
  return {
    name: `HTTP SSE ${path}`,
    async read(broker) {
      const response = await fetch(`${broker.http}${path}`, { signal: AbortSignal.timeout(1500) });
      let text = `${response.status}\n`;
      const decoder = new TextDecoder();
      const reader = response.body!.getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
      } catch {
        // the timeout ends the read
      }
      return text;
    },
  };
}

/** Everything anonymous readers (and the log's readers) can see. New surfaces join this list. */
const SURFACES: readonly Surface[] = [
  liveReader('mqtt'),
  liveReader('ws'),
  // Each on its own: a subscription that cannot match a `$` topic must not get one either.
  liveReader('mqtt', ['#']),
  liveReader('mqtt', ['$firehose/#']),
  liveReader('mqtt', ['$firehose/+/+/+']),
  detailTreeReader(),
  dashboardForward(),
  lateReader('mqtt'),
  lateReader('ws'),
  // Every route the HTTP listener serves, and what it answers to anything else.
  httpGet('/metrics'),
  httpGet('/healthz'),
  httpGet('/readyz'),
  httpGet('/'),
  httpGet('/metrics?format=json'),
  httpGet('/metrics', 'POST'),
  // The history API: every archived event an anonymous reader may read, and its error answers.
  httpGet('/v1/events?order=asc&limit=1000'),
  httpGet('/v1/events?service=ansible&limit=1000'),
  httpGet('/v1/events?limit=0'),
  httpGet('/v1/events/no-such-id'),
  httpGet('/v1/nothing'),
  httpGet('/v1/openapi.json'),
  httpGet('/v1/stream?since=nonsense'),
  sseGet('/v1/stream?since=-1h'),
  // The webhook intake's answers to every request above (an unauthenticated sender reads them too).
  { name: 'HTTP answers of the webhook intake', read: () => Promise.resolve(intakeAnswers.join('\n')) },
  // Read last: the log of the whole run, up to shutdown (level info: info, warn, error).
  { name: 'the broker log (info and warn)', read: (broker) => Promise.resolve(broker.log()) },
];

describe('canary leak suite: no secret reaches an anonymous reader or the log', { timeout: 60_000 }, () => {
  let broker: Broker;
  let stop: () => Promise<number>;
  let ops: { client: MqttClient; seen: { topic: string; payload: string }[] };
  const texts = new Map<string, string>();

  beforeAll(async () => {
    const file = join(scratch, 'firehose.yaml');
    const accounts = ACCOUNTS.map(
      (name) => `  ${name}: { password: "${hashes[name]}", write: ["${name}/#"] }`,
    ).join('\n');
    writeFileSync(
      file,
      [
        `# ${configComment}: a config file is the operator's; no byte of it is for anonymous readers.`,
        'listeners:',
        `  mqtt: { host: ${HOST}, port: 0 }`,
        `  ws: { host: ${HOST}, port: 0 }`,
        `  http: { host: ${HOST}, port: 0 }`,
        'accounts:',
        accounts,
        `  ops: { password: "${hashes.ops}" }`,
        // Details exist (an operator reads them): anonymous readers must still get none.
        'validation: { details: { readers: [ops], publisher: true } }',
        // Site services with an HTTP intake, their secrets in the environment.
        'catalogue: { interval: 1, files: [intake.yaml] }',
        'sys: { interval: 1 }',
        'history: { enabled: true, path: ./history.sqlite }',
        'log: { level: info }',
        '',
      ].join('\n'),
    );
    writeFileSync(join(scratch, 'intake.yaml'), INTAKE_CATALOGUE);
    const stdout = new PassThrough();
    let log = '';
    stdout.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
    const stderr = new PassThrough();
    let errors = '';
    stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    const controller = new AbortController();
    const exited = runCli(['broker', '--config', file], loadEnv(INTAKE_ENV), {
      stdin: new PassThrough(),
      stdout,
      stderr,
      signal: controller.signal,
    });
    stop = async () => {
      controller.abort(new Error('test done'));
      return exited;
    };
    await waitFor(
      () => log.includes('firehose broker ready') || errors !== '',
      60_000,
      'the broker to start',
    );
    const line = log.split('\n').find((l) => l.includes('firehose broker ready'));
    if (line === undefined) throw new Error(`the broker did not start: ${errors}`);
    const ready = JSON.parse(line) as { mqtt: string; ws: string; http: string };
    broker = {
      mqtt: ready.mqtt,
      ws: ready.ws,
      http: ready.http.replace('localhost', HOST),
      log: () => log + errors,
    };

    ops = { client: await connect(broker.mqtt, { username: 'ops', password: opsPassword }), seen: [] };
    ops.client.on('message', (topic, payload) => ops.seen.push({ topic, payload: payload.toString('utf8') }));
    await ops.client.subscribeAsync('$firehose/invalid-detail/#', { qos: 1 });

    for (const surface of SURFACES) await surface.start?.(broker);
    for (const planting of PLANTINGS) await planting.plant?.(broker);

    // Settled: every refusal is recorded (public and detail), then $SYS and the catalogue publish again.
    // The invalid publishes, the no_log result and the webhook whose data failed its schema.
    const refusals = invalidPlantings.length + 2;
    const tcp = live.get(SURFACES[0]!.name)!.seen;
    await waitFor(
      () => tcp.filter((m) => m.topic.startsWith('$firehose/invalid/')).length === refusals,
      60_000,
      'every public record',
    );
    await waitFor(() => ops.seen.length === refusals, 60_000, 'every detail record');
    const mark = tcp.length;
    await waitFor(
      () =>
        tcp.slice(mark).some((m) => m.topic.startsWith('$SYS/firehose/')) &&
        tcp.slice(mark).some((m) => m.topic.startsWith('$firehose/catalogue/')),
      60_000,
      '$SYS and the catalogue after the plantings',
    );

    for (const surface of SURFACES.slice(0, -1)) texts.set(surface.name, await surface.read(broker));
    for (const client of open.splice(0)) await client.endAsync(true);
    expect(await stop()).toBe(0);
    const last = SURFACES.at(-1)!;
    texts.set(last.name, await last.read(broker));
  }, 300_000);

  afterAll(async () => {
    for (const client of open.splice(0)) await client.endAsync(true).catch(() => undefined);
    await stop?.().catch(() => undefined);
  });

  it('plants every canary where it was meant to go (the suite can see a leak)', () => {
    // The operator (validation.details.readers) gets the excerpt of every invalid publish...
    const details = dump(ops.seen);
    const missing = invalidPlantings
      .filter((p) => p.secrets.some((secret) => !details.includes(secret)))
      .map((p) => p.name);
    expect(missing).toEqual([]);
    // ...but never a no_log result, and never a password.
    expect(details).not.toContain(noLogSecret);
    expect(details).toContain('$firehose/invalid-detail/ansible/ansible');
    // Every surface was read, and the log holds the refusals (so it was captured).
    expect([...texts.keys()]).toEqual(SURFACES.map((s) => s.name));
    expect(texts.get('the broker log (info and warn)')).toContain('publish diverted: not delivered');
    expect(texts.get('HTTP GET /metrics')).toContain('firehose_refused_total');
    // The intake took the signed webhooks (so its answers and what it published are checked)...
    const answers = texts.get('HTTP answers of the webhook intake')!;
    expect(answers).toMatch(/POST \/v1\/ingest\/deploys 202\n[\s\S]*"type":"deploys\.done"/);
    expect(answers).toMatch(/POST \/v1\/ingest\/hub 202\n/);
    expect(texts.get(SURFACES[0]!.name)).toContain('deploys/shop/done');
    // ...refused the wrong ones, logging the refusal, and recorded the one with bad data.
    expect(texts.get('the broker log (info and warn)')).toContain('webhook refused');
    expect(details).toContain(intakeBadValue);
    // The archive holds what was published (so a planted secret in it would be seen).
    expect(texts.get('HTTP SSE /v1/stream?since=-1h')).toMatch(/^200[\s\S]*id: [0-9a-f]{16}/);
    expect(texts.get('HTTP GET /v1/events?order=asc&limit=1000')).toMatch(
      /^200[\s\S]*"cursor":"[0-9a-f]{16}"/,
    );
    // The dashboard's forward reaches the same archive (so its answers are really checked).
    expect(texts.get('the dashboard server forwarding /v1/ to the history API')).toMatch(
      /\n200\n\{"events":\[\{"cursor":"[0-9a-f]{16}"/,
    );
    // The shared member's group is on the surfaces it could leak through.
    expect(texts.get('HTTP GET /metrics')).toContain('group="canary-workers"');
    expect(texts.get(SURFACES[0]!.name)).toContain('/shared');
  });

  it('no canary appears on any surface', () => {
    const secrets = PLANTINGS.flatMap((p) => p.secrets.map((secret) => ({ planting: p.name, secret })));
    expect(secrets.length).toBeGreaterThan(invalidPlantings.length + 10);
    const leaks: string[] = [];
    for (const [surface, text] of texts) {
      for (const { planting, secret } of secrets) {
        const count = text.split(secret).length - 1;
        if (count > 0) leaks.push(`${planting}: ${count}× on ${surface}`);
      }
      // A fragment leaks too (JSON.parse's message quotes ten characters of the text).
      const fragments = new Set([...text.matchAll(/CANARY-[\w-]*/g)].map((m) => m[0]));
      for (const fragment of fragments)
        if (!secrets.some((s) => s.secret === fragment)) leaks.push(`a fragment "${fragment}" on ${surface}`);
    }
    expect(leaks).toEqual([]);
  });
});
