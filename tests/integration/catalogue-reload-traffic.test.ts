import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hashPassword } from '@firehose/broker';
import { createEvent } from '@firehose/protocol';
import { sleep, waitFor } from '@firehose/test-support';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';

// A catalogue reload under traffic loses nothing (#18): a real `firehose broker` process on a
// site catalogue file, QoS 1 publishers sending declared events and undeclared topics without a
// pause, a persistent QoS 1 subscriber counting every copy, while the file is rewritten (a new
// event type, a broken file) and SIGHUP sent several times.

const HOST = '127.0.0.1';
const PASSWORD = 'reload-traffic-pw';
const SOURCE = 'https://ci.example.org';
const CLI = join(
  dirname(createRequire(import.meta.url).resolve('@firehose/cli/package.json')),
  'dist/bin.js',
);

const BUILD = `      build:
        description: A build finished
        topic: ci/{job}/build
        params: { job: job }
        identity: [job, number]
        schema:
          type: object
          required: [job, number]
          properties:
            job: { type: string }
            number: { type: integer }
`;
const DEPLOY = `      deploy:
        description: A deploy finished
        topic: ci/{app}/deploy
        params: { app: app }
        schema:
          type: object
          required: [app, revision]
          properties:
            app: { type: string }
            revision: { type: string }
`;
const catalogue = (events: string): string =>
  `firehose-catalogue: 1\nservices:\n  ci:\n    description: Our CI\n    source: ${SOURCE}\n    events:\n${events}`;
/** The deploy declaration's schema `type` (line 23) is not a JSON Schema type. */
const BROKEN = catalogue(BUILD + DEPLOY.replace('type: object', 'type: objekt'));

interface LogLine {
  msg: string;
  added?: string[];
  [field: string]: unknown;
}

describe('a catalogue reload under QoS 1 traffic', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'firehose-reload-traffic-'));
  const clients: MqttClient[] = [];
  let broker: ChildProcessWithoutNullStreams | undefined;

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    if (broker !== undefined && broker.exitCode === null) {
      const exited = new Promise((resolve) => broker!.once('close', resolve));
      broker.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every acknowledged message, validates the added type, keeps the old catalogue on a broken file', async () => {
    const file = join(dir, 'ci.yaml');
    writeFileSync(file, catalogue(BUILD));
    writeFileSync(
      join(dir, 'firehose.yaml'),
      [
        'listeners:',
        `  mqtt: { host: ${HOST}, port: 0 }`,
        `  ws: { host: ${HOST}, port: 0 }`,
        `  http: { host: ${HOST}, port: 0 }`,
        'accounts:',
        `  ci: { password: "${await hashPassword(PASSWORD)}", write: ["ci/#", "load/#"] }`,
        'catalogue: { interval: 1 }',
        '',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [CLI, 'broker', '--config', 'firehose.yaml', '--catalogue', file], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
      stdio: 'pipe',
    });
    broker = child;
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const log = (): LogLine[] =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as LogLine);
    await waitFor(() => log().some((l) => l.msg === 'firehose broker ready'), 60_000, 'the broker to start');
    const url = log().find((l) => l.msg === 'firehose broker ready')!.mqtt as string;

    // The counting subscriber: persistent, QoS 1, anonymous (reads # by default).
    const copies = new Map<string, number>();
    const probes: string[] = [];
    const refused: { topic: string; eventType?: string; time: string }[] = [];
    let reconnects = 0;
    const subscriber = await connectAsync(url, {
      clientId: 'reload-counter',
      clean: false,
      reconnectPeriod: 200,
    });
    clients.push(subscriber);
    subscriber.on('message', (topic, payload) => {
      const text = payload.toString('utf8');
      if (topic === '$firehose/invalid/ci') {
        if (text !== '')
          refused.push(JSON.parse(text) as { topic: string; eventType?: string; time: string });
        return;
      }
      let key = text;
      if (topic.endsWith('/build')) {
        const { data } = JSON.parse(text) as { data: { job: string; number: number } };
        key = `${data.job}:build:${data.number}`;
      } else if (topic.startsWith('ci/')) {
        probes.push((JSON.parse(text) as { data: { revision?: string } }).data.revision ?? '(none)');
        return;
      }
      copies.set(key, (copies.get(key) ?? 0) + 1);
    });
    await subscriber.subscribeAsync(['ci/#', 'load/#', '$firehose/invalid/ci'], { qos: 1 });

    const account = { username: 'ci', password: PASSWORD, reconnectPeriod: 200 };
    const publishers = await Promise.all(
      ['p1', 'p2'].map((name) => connectAsync(url, { ...account, clientId: `reload-${name}` })),
    );
    const prober = await connectAsync(url, { ...account, clientId: 'reload-prober' });
    clients.push(...publishers, prober);
    for (const client of [subscriber, ...publishers, prober]) client.on('reconnect', () => reconnects++);

    // Each publisher: a declared ci.build event and an undeclared load/ message in turn, QoS 1,
    // never waiting for the PUBACK (MQTT.js keeps the unacknowledged ones in flight).
    const published = new Set<string>();
    const acknowledged = new Set<string>();
    let streaming = true;
    const streams = publishers.map(async (client, index) => {
      const job = `p${index + 1}`;
      for (let n = 0; streaming; n++) {
        const build = `${job}:build:${n}`;
        const event = createEvent({
          source: SOURCE,
          type: 'ci.build',
          dataschema: 'urn:firehose:schema:ci.build:1',
          data: { job, number: n },
          identity: [job, n],
        });
        const undeclared = `${job}:load:${n}`;
        for (const [key, topic, payload] of [
          [build, `ci/${job}/build`, JSON.stringify(event)],
          [undeclared, `load/${job}`, undeclared],
        ] as const) {
          published.add(key);
          client.publishAsync(topic, payload, { qos: 1 }).then(
            () => acknowledged.add(key),
            () => undefined,
          );
        }
        await sleep(5);
      }
    });
    /** Lets at least `count` more messages be acknowledged: each reload happens under traffic. */
    const traffic = async (count: number, what: string): Promise<void> => {
      const from = acknowledged.size;
      await waitFor(
        () => acknowledged.size >= from + count,
        60_000,
        `${count} acknowledged messages ${what}`,
      );
    };

    // A deploy without its required revision, then a valid one as a marker on the same topic from
    // the same client (delivered in order): when the marker arrives, the first one has arrived too
    // unless it was refused.
    let probeCount = 0;
    const probe = async (): Promise<'delivered' | 'refused'> => {
      const marker = `marker-${++probeCount}`;
      const deploy = (data: object) =>
        JSON.stringify(
          createEvent({
            source: SOURCE,
            type: 'ci.deploy',
            dataschema: 'urn:firehose:schema:ci.deploy:1',
            data,
          }),
        );
      const seen = probes.length;
      const refusals = refused.length;
      await prober.publishAsync('ci/web/deploy', deploy({ app: 'web' }), { qos: 1 });
      await prober.publishAsync('ci/web/deploy', deploy({ app: 'web', revision: marker }), { qos: 1 });
      await waitFor(() => probes.includes(marker), 60_000, `the deploy ${marker}`);
      const arrived = probes.slice(seen);
      if (arrived.includes('(none)')) return 'delivered';
      await waitFor(
        () => refused.slice(refusals).some((r) => r.eventType === 'ci.deploy' && r.topic === 'ci/web/deploy'),
        60_000,
        'the invalid record of the refused deploy',
      );
      return 'refused';
    };
    let hangups = 0;
    const outcomes = (): LogLine[] => log().filter((l) => l.msg.startsWith('SIGHUP: '));
    /**
     * Sends SIGHUP and waits until the reload has said how it ended. One at a time: signals sent
     * together may reach the process as one (POSIX does not queue them).
     */
    const hangup = async (): Promise<LogLine> => {
      const before = outcomes().filter((l) => l.msg !== 'SIGHUP: configuration reloaded').length;
      child.kill('SIGHUP');
      hangups++;
      const ended = (): LogLine[] =>
        outcomes()
          .filter((l) => l.msg !== 'SIGHUP: configuration reloaded')
          .slice(before);
      await waitFor(() => ended().length > 0, 60_000, `reload #${hangups} (SIGHUP) to end`);
      return ended()[0]!;
    };

    await traffic(200, 'before any reload');
    // Before the reload ci/web/deploy is undeclared: anything passes.
    expect(await probe()).toBe('delivered');

    writeFileSync(file, catalogue(BUILD + DEPLOY));
    const added = await hangup();
    expect(added.msg).toBe('SIGHUP: catalogue reloaded');
    expect(added.added).toEqual(['ci.deploy']);
    await traffic(200, 'after the type was added');
    expect(await probe()).toBe('refused');

    writeFileSync(file, BROKEN);
    const broken = await hangup();
    expect(broken.msg).toMatch(/^SIGHUP: nothing reloaded, the running catalogue is kept: /);
    expect(broken.msg).toMatch(
      /ci\.yaml:23: services\.ci\.events\.deploy\.schema\.type: is not a valid JSON Schema/,
    );
    await traffic(200, 'after the broken file');
    // The old catalogue (with ci.deploy) keeps running.
    expect(await probe()).toBe('refused');

    // Reloads one after another while the publishers go on: the same file, then without deploy.
    writeFileSync(file, catalogue(BUILD + DEPLOY));
    for (let i = 0; i < 3; i++) {
      expect((await hangup()).msg).toBe('SIGHUP: catalogue reloaded');
      await traffic(100, `after reload #${hangups}`);
    }
    writeFileSync(file, catalogue(BUILD));
    const removed = await hangup();
    expect(removed.removed).toEqual(['ci.deploy']);
    await traffic(200, 'after the type was removed');
    expect(await probe()).toBe('delivered');

    streaming = false;
    await Promise.all(streams);
    // Every message is acknowledged or failed by now or soon: MQTT.js resends what is in flight.
    await waitFor(() => acknowledged.size === published.size, 60_000, 'every publish to be acknowledged');
    const lost = (): string[] => [...acknowledged].filter((key) => !copies.has(key));
    await expect
      .poll(() => lost().slice(0, 10), {
        timeout: 60_000,
        interval: 50,
        message: 'acknowledged messages that never arrived',
      })
      .toEqual([]);
    const duplicated = [...copies.values()].reduce((sum, n) => sum + n - 1, 0);
    const table = {
      published: published.size,
      acknowledged: acknowledged.size,
      delivered: copies.size,
      duplicated,
      lost: lost().length,
      reconnects,
      hangups,
    };
    console.log(`catalogue reload under traffic: ${JSON.stringify(table)}`);
    expect(table.lost).toBe(0);
    expect([...copies.keys()].every((key) => published.has(key))).toBe(true);
    // QoS 1 may deliver a message again only when a session resends it (after a reconnect);
    // with no reconnect, not a single copy more.
    if (reconnects === 0) expect(duplicated).toBe(0);
    expect(log().filter((l) => l.msg === 'broker internal error')).toEqual([]);
  });
});
