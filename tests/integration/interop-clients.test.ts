import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createBroker, hashPassword, type BrokerConfigInput, type FirehoseBroker } from '@firehose/broker';
import type { FirehoseEvent } from '@firehose/protocol';
import { createServiceEvent, gerrit } from '@firehose/schema';
import { freePort, systemProgram, type SystemProgramName } from '@firehose/test-support';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

// Third-party MQTT clients against a real broker, each as a child process: Mosquitto's
// mosquitto_pub/mosquitto_sub (Debian mosquitto-clients) and Eclipse paho-mqtt 1.6 (Debian
// python3-paho-mqtt, which installs for Debian's own /usr/bin/python3, not a pyenv python3), each found
// through systemProgram(), so a missing one fails with the command that installs it.

const HOST = '127.0.0.1';
const TOPIC = 'gerrit/openstack/nova/comment-added';
const PASSWORD = 'gerrit-interop-pw';
const paho = (script: string) => fileURLToPath(new URL(`./interop/${script}`, import.meta.url));

const require = createRequire(import.meta.url);
const fixture = JSON.parse(
  readFileSync(require.resolve('@firehose/schema/fixtures/gerrit/comment-added.json'), 'utf8'),
) as { data: { change: { number: number } } };

/** A valid gerrit comment-added envelope, as a service publishes it; `change` makes each one distinct. */
function commentAdded(change: number): FirehoseEvent {
  const data = structuredClone(fixture.data);
  data.change.number = change;
  return createServiceEvent(gerrit.commentAdded, data as never, {});
}

interface Child {
  readonly name: string;
  stdout: string;
  stderr: string;
  /** Resolves when the process has exited and its output is read; `code` is null after a signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  done: boolean;
  kill(): void;
}

const children: Child[] = [];
let broker: FirehoseBroker | undefined;
let passwordHash: string;

/** Starts a child process (killed after 30 s at the latest, and by afterEach), optionally fed `input`. */
function run(program: SystemProgramName, args: string[], input?: string): Child {
  const proc = spawn(systemProgram(program), args, {
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  const child: Child = {
    name: [program, ...args].join(' ').slice(0, 120),
    stdout: '',
    stderr: '',
    done: false,
    exited: new Promise((resolve) => {
      proc.once('error', (error) => {
        child.stderr += String(error);
        child.done = true;
        resolve({ code: -1, signal: null });
      });
      proc.once('close', (code, signal) => {
        child.done = true;
        resolve({ code, signal });
      });
    }),
    kill: () => {
      if (!child.done) proc.kill('SIGKILL');
    },
  };
  proc.stdout!.on('data', (chunk: Buffer) => (child.stdout += chunk.toString()));
  proc.stderr!.on('data', (chunk: Buffer) => (child.stderr += chunk.toString()));
  if (input !== undefined) proc.stdin!.on('error', () => undefined).end(input); // EPIPE if it exits first
  children.push(child);
  return child;
}

const lines = (child: Child): string[] => child.stdout.split('\n').filter((line) => line !== '');
const jsonLines = (child: Child): Record<string, unknown>[] =>
  lines(child).map((line) => JSON.parse(line) as Record<string, unknown>);

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) {
      const output = children.map(
        (c) => `${c.name}\n  stdout: ${c.stdout.slice(0, 500)}\n  stderr: ${c.stderr.slice(0, 500)}`,
      );
      throw new Error(`timed out waiting for ${what}\n${output.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function startBroker(config: BrokerConfigInput = {}): Promise<FirehoseBroker> {
  broker = await createBroker({
    listeners: { mqtt: { host: HOST, port: 0 } },
    accounts: { gerrit: { password: passwordHash, write: ['gerrit/#'] } },
    catalogue: { interval: 0 },
    sys: { interval: 0 },
    ...config,
  });
  await broker.listen();
  return broker;
}

const port = (b: FirehoseBroker, kind: 'mqtt' | 'ws' = 'mqtt', index = 0) =>
  String(b.address(kind, index)!.port);

/** Runs a mosquitto_sub and waits until the broker has its subscription. */
async function mosquittoSub(b: FirehoseBroker, args: string[]): Promise<Child> {
  const before = b.stats.subscriptions;
  const child = run('mosquitto_sub', ['-h', HOST, ...args]);
  await waitFor(() => b.stats.subscriptions > before || child.done, 'mosquitto_sub to subscribe');
  expect(child.done, child.stderr).toBe(false);
  return child;
}

/** Runs paho-subscribe.py and waits for its SUBACK line. */
async function pahoSub(args: string[]): Promise<Child> {
  const child = run('python3', [paho('paho-subscribe.py'), HOST, ...args]);
  await waitFor(() => lines(child).length > 0 || child.done, 'paho-mqtt to subscribe');
  expect(jsonLines(child)[0], child.stderr).toEqual({ subscribed: [1] });
  return child;
}

function mosquittoPub(b: FirehoseBroker, args: string[], event: FirehoseEvent): Child {
  return run('mosquitto_pub', ['-h', HOST, '-p', port(b), '-t', TOPIC, '-m', JSON.stringify(event), ...args]);
}

beforeAll(async () => {
  passwordHash = await hashPassword(PASSWORD);
});

afterEach(async () => {
  for (const child of children) child.kill();
  await Promise.all(children.map((child) => child.exited));
  children.length = 0;
  await broker?.close();
  broker = undefined;
});

describe('Mosquitto clients (mosquitto_pub, mosquitto_sub)', { timeout: 60_000 }, () => {
  it('an anonymous mosquitto_sub on # gets the gerrit event mosquitto_pub publishes as the gerrit account at QoS 1', async () => {
    const b = await startBroker();
    const sub = await mosquittoSub(b, ['-p', port(b), '-t', '#', '-v']);
    const event = commentAdded(900001);
    const pub = mosquittoPub(b, ['-u', 'gerrit', '-P', PASSWORD, '-q', '1'], event);
    expect((await pub.exited).code, pub.stderr).toBe(0);
    await waitFor(() => lines(sub).length > 0, 'the event at mosquitto_sub');
    const [line] = lines(sub);
    expect(line!.slice(0, TOPIC.length + 1)).toBe(`${TOPIC} `);
    expect(JSON.parse(line!.slice(TOPIC.length + 1))).toEqual(event);
    expect(lines(sub)).toHaveLength(1);
  });

  it('refuses anonymous mosquitto_pub: at QoS 1 it loses its connection, at QoS 0 the message is dropped, and nothing is delivered', async () => {
    const b = await startBroker();
    const sub = await mosquittoSub(b, ['-p', port(b), '-t', '#', '-v']);

    const qos1 = mosquittoPub(b, ['-q', '1'], commentAdded(900002));
    const qos1Exit = await qos1.exited;
    expect(qos1Exit.code).not.toBe(0);
    expect(qos1.stderr).toMatch(/connection was lost/i);
    // QoS 0 has no acknowledgement, so mosquitto_pub cannot know; the broker closes the
    // connection after the DISCONNECT mosquitto_pub already sent [MQTT-3.3.5-2].
    const qos0 = mosquittoPub(b, ['-q', '0'], commentAdded(900003));
    expect((await qos0.exited).code).toBe(0);
    await waitFor(() => b.stats.droppedCount('acl_publish') === 2, 'both refusals to be counted');

    // The subscriber works: the gerrit account's event, published after both, is all it gets.
    const event = commentAdded(900004);
    const pub = mosquittoPub(b, ['-u', 'gerrit', '-P', PASSWORD, '-q', '1'], event);
    expect((await pub.exited).code, pub.stderr).toBe(0);
    await waitFor(() => lines(sub).length > 0, 'the gerrit event at mosquitto_sub');
    expect(lines(sub)).toEqual([`${TOPIC} ${JSON.stringify(event)}`]);
  });

  it('refuses a wrong password and an unknown user alike with CONNACK 4 ("bad user name or password")', async () => {
    const b = await startBroker();
    const wrong = mosquittoPub(
      b,
      ['-u', 'gerrit', '-P', 'not-the-password', '-q', '1'],
      commentAdded(900005),
    );
    const unknown = run('mosquitto_sub', [
      '-h',
      HOST,
      '-p',
      port(b),
      '-u',
      'nobody',
      '-P',
      'x',
      '-t',
      '#',
      '-C',
      '1',
      '-W',
      '20',
    ]);
    const pahoWrong = run(
      'python3',
      [paho('paho-publish.py'), HOST, port(b), 'gerrit', 'not-the-password', TOPIC, '1'],
      '{}',
    );
    for (const child of [wrong, unknown]) {
      expect((await child.exited).code).not.toBe(0);
      expect(child.stderr).toMatch(/Connection Refused: bad user name or password/);
    }
    expect((await pahoWrong.exited).code).toBe(1);
    expect(jsonLines(pahoWrong)).toEqual([{ connack: 4, published: false, packets: [] }]);
    expect(b.stats.droppedCount('auth_failed')).toBe(3);
  });

  it('gives mosquitto_sub -C 1 a number on $SYS/broker/clients/connected', async () => {
    const b = await startBroker({ sys: { interval: 1 } });
    const sub = run('mosquitto_sub', [
      '-h',
      HOST,
      '-p',
      port(b),
      '-t',
      '$SYS/broker/clients/connected',
      '-C',
      '1',
      '-W',
      '30',
    ]);
    expect((await sub.exited).code, sub.stderr).toBe(0);
    // Mosquitto's name and format: a bare decimal count, here of the one client connected.
    expect(sub.stdout).toBe('1\n');
  });

  it('gives mosquitto_sub -C 1 on the payload: data listener the bare service JSON', async () => {
    const b = await startBroker({
      listeners: {
        mqtt: [
          { host: HOST, port: 0 },
          { host: HOST, port: 0, payload: 'data' },
        ],
      },
    });
    const sub = await mosquittoSub(b, ['-p', port(b, 'mqtt', 1), '-t', 'gerrit/#', '-C', '1', '-W', '30']);
    const event = commentAdded(900006);
    const pub = mosquittoPub(b, ['-u', 'gerrit', '-P', PASSWORD, '-q', '1'], event);
    expect((await pub.exited).code, pub.stderr).toBe(0);
    expect((await sub.exited).code, sub.stderr).toBe(0);
    expect(JSON.parse(sub.stdout)).toEqual(event.data);
  });
});

describe('Eclipse paho-mqtt (Python)', { timeout: 60_000 }, () => {
  it('an anonymous QoS 1 subscriber gets events the gerrit account publishes at QoS 1 and 2, each exchange completed', async () => {
    const b = await startBroker();
    const sub = await pahoSub([port(b), 'gerrit/#', '1']);
    const events = [commentAdded(900007), commentAdded(900008)];
    const packets: unknown[] = [];
    for (const [i, qos] of ['1', '2'].entries()) {
      const pub = run(
        'python3',
        [paho('paho-publish.py'), HOST, port(b), 'gerrit', PASSWORD, TOPIC, qos],
        JSON.stringify(events[i]),
      );
      expect((await pub.exited).code, pub.stderr).toBe(0);
      const [result] = jsonLines(pub);
      expect(result).toMatchObject({ connack: 0, published: true });
      packets.push((result!.packets as string[]).map((p) => p.split(' (')[0]));
    }
    expect(packets).toEqual([
      ['Sending PUBLISH', 'Received PUBACK'],
      ['Sending PUBLISH', 'Received PUBREC', 'Sending PUBREL', 'Received PUBCOMP'],
    ]);
    await waitFor(() => jsonLines(sub).length === 3, 'both events at the paho subscriber');
    // Delivered at min(published QoS, granted QoS 1) [MQTT-3.3.5-1], in order.
    expect(
      jsonLines(sub)
        .slice(1)
        .map((m) => ({ ...m, payload: JSON.parse(m.payload as string) as unknown })),
    ).toEqual([
      { topic: TOPIC, payload: events[0], qos: 1 },
      { topic: TOPIC, payload: events[1], qos: 1 },
    ]);
  });

  it('a paho-mqtt client over WebSocket (/mqtt) receives an event', async () => {
    const b = await startBroker({
      listeners: { mqtt: { host: HOST, port: 0 }, ws: { host: HOST, port: 0, path: '/mqtt' } },
    });
    const sub = await pahoSub([port(b, 'ws'), 'gerrit/#', '1', 'websockets']);
    const event = commentAdded(900009);
    const pub = mosquittoPub(b, ['-u', 'gerrit', '-P', PASSWORD, '-q', '1'], event);
    expect((await pub.exited).code, pub.stderr).toBe(0);
    await waitFor(() => jsonLines(sub).length === 2, 'the event at the WebSocket subscriber');
    const message = jsonLines(sub)[1]!;
    expect(message).toMatchObject({ topic: TOPIC, qos: 1 });
    expect(JSON.parse(message.payload as string)).toEqual(event);
  });
});

describe(
  'Shared subscriptions with mosquitto_sub, against firehose and against Mosquitto',
  { timeout: 60_000 },
  () => {
    /** Two `mosquitto_sub -t '$share/bots/#'` on `port`, then 20 QoS 1 events: what each subscriber printed. */
    async function split(port: string, subscribed: (count: number) => boolean): Promise<number[][]> {
      const subs: Child[] = [];
      for (let i = 1; i <= 2; i++) {
        const sub = run('mosquitto_sub', ['-h', HOST, '-p', port, '-t', '$share/bots/#', '-q', '1', '-v']);
        await waitFor(() => subscribed(i) || sub.done, 'mosquitto_sub to subscribe');
        expect(sub.done, sub.stderr).toBe(false);
        subs.push(sub);
      }
      const events = Array.from({ length: 20 }, (_, i) => JSON.stringify(commentAdded(910_000 + i)));
      const pub = run(
        'mosquitto_pub',
        ['-h', HOST, '-p', port, '-u', 'gerrit', '-P', PASSWORD, '-q', '1', '-t', TOPIC, '-l'],
        `${events.join('\n')}\n`,
      );
      expect((await pub.exited).code, pub.stderr).toBe(0);
      const received = (sub: Child): number[] =>
        lines(sub)
          .filter((line) => line.startsWith(`${TOPIC} `))
          .map(
            (line) =>
              (JSON.parse(line.slice(TOPIC.length + 1)) as { data: { change: { number: number } } }).data
                .change.number,
          );
      await waitFor(
        () => received(subs[0]!).length + received(subs[1]!).length >= 20,
        'the 20 events at the two subscribers',
      );
      return subs.map(received);
    }

    it('two mosquitto_sub on $share/bots/# split a stream against firehose broker as they do against Mosquitto', async () => {
      const b = await startBroker();
      const viaFirehose = await split(
        port(b),
        (count) => b.sharedSubscriptions()[0]?.members.length === count,
      );

      // Mosquitto 2 without a config file: anonymous clients, loopback only; -v logs each SUBSCRIBE.
      const mosquittoPort = await freePort();
      const mosquitto = run('mosquitto', ['-v', '-p', String(mosquittoPort)]);
      await waitFor(() => /running/.test(mosquitto.stderr) || mosquitto.done, 'mosquitto to start');
      const viaMosquitto = await split(
        String(mosquittoPort),
        (count) => (mosquitto.stderr.match(/\$share\/bots\/# \(QoS 1\)/g) ?? []).length === count,
      );

      const all = Array.from({ length: 20 }, (_, i) => 910_000 + i);
      for (const result of [viaFirehose, viaMosquitto]) {
        // Each event once, over the two; round robin gives each subscriber half.
        expect([...result[0]!, ...result[1]!].sort((x, y) => x - y)).toEqual(all);
        expect(result.map((numbers) => numbers.length)).toEqual([10, 10]);
      }
    });
  },
);
