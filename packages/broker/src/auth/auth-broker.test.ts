/**
 * The auth and ACL modules inside a real broker, over real MQTT connections on loopback: what a
 * client sees (CONNACK codes, what is delivered) and what the broker spends (scrypt runs).
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type FirehoseBroker } from '../broker.js';
import type { BrokerConfigInput } from '../config/types.js';
import { hashPassword } from './password.js';

const opened: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (opened.length > 0) await opened.pop()!().catch(() => undefined);
});

let accounts: BrokerConfigInput['accounts'];
beforeAll(async () => {
  // Cheap cost parameters: the same code path, a fraction of the CPU.
  const hash = (plain: string) => hashPassword(plain, { N: 1024 });
  accounts = {
    gerrit: { password: await hash('gerrit-pw'), write: ['gerrit/#', 'private/#'] },
    zuul: { password: [await hash('zuul-old'), await hash('zuul-new')], write: ['zuul/#'] },
    ops: { password: await hash('ops-pw'), read: ['$SYS/#', 'private/#'] },
  };
});

async function start(config: BrokerConfigInput = {}): Promise<FirehoseBroker> {
  const broker = await createBroker({
    listeners: { mqtt: { host: '127.0.0.1', port: 0 } },
    accounts,
    catalogue: { interval: 0 },
    sys: { interval: 0 },
    ...config,
  });
  opened.push(() => broker.close());
  await broker.listen();
  return broker;
}

async function connect(broker: FirehoseBroker, options: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(broker.url('mqtt')!, {
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  });
  opened.push(() => client.endAsync(true));
  return client;
}

/** The CONNACK refusal a login gets, or 'accepted'. */
async function login(broker: FirehoseBroker, options: IClientOptions): Promise<string> {
  try {
    await connect(broker, options);
    return 'accepted';
  } catch (error) {
    return (error as Error).message;
  }
}

function received(client: MqttClient): string[] {
  const topics: string[] = [];
  client.on('message', (topic) => topics.push(topic));
  return topics;
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('auth in a running broker', () => {
  it('after N failed logins from one address, refuses even the right password without running scrypt', async () => {
    const broker = await start({ limits: { authFailuresPerMinute: 3 } });
    for (let i = 0; i < 3; i++) {
      expect(await login(broker, { username: 'gerrit', password: `guess-${i}` })).toMatch(
        /Bad username or password/,
      );
    }
    const runs = broker.stats.scryptRuns;
    expect(runs).toBe(3 * 2); // two rounds per login: zuul has two hashes
    expect(await login(broker, { username: 'gerrit', password: 'gerrit-pw' })).toMatch(/Server unavailable/);
    expect(await login(broker, { username: 'nobody', password: 'x' })).toMatch(/Server unavailable/);
    expect(broker.stats.scryptRuns).toBe(runs);
  });

  it('accepts both passwords of an account mid-rotation, and costs the same for unknown users', async () => {
    const broker = await start();
    expect(await login(broker, { username: 'zuul', password: 'zuul-old' })).toBe('accepted');
    expect(await login(broker, { username: 'zuul', password: 'zuul-new' })).toBe('accepted');
    const before = broker.stats.scryptRuns;
    expect(await login(broker, { username: 'no-such-user', password: 'x' })).toMatch(
      /Bad username or password/,
    );
    expect(broker.stats.scryptRuns - before).toBe(2);
  });

  it("refuses a service account's client id to anyone else (CONNACK 2)", async () => {
    const broker = await start();
    expect(await login(broker, { clientId: 'gerrit' })).toMatch(/Identifier rejected/);
    expect(await login(broker, { clientId: 'gerrit-publisher-1' })).toMatch(/Identifier rejected/);
    expect(await login(broker, { clientId: 'gerrit/1', username: 'zuul', password: 'zuul-new' })).toMatch(
      /Identifier rejected/,
    );
    expect(
      await login(broker, { clientId: 'gerrit-publisher-1', username: 'gerrit', password: 'gerrit-pw' }),
    ).toBe('accepted');
    expect(await login(broker, { clientId: 'my-bot' })).toBe('accepted');
  });

  it('anonymous $SYS readers never see client ids; an account granted $SYS/# does', async () => {
    const broker = await start();
    const anonymous = await connect(broker);
    const ops = await connect(broker, { username: 'ops', password: 'ops-pw' });
    const anonymousTopics = received(anonymous);
    const opsTopics = received(ops);
    await anonymous.subscribeAsync('$SYS/#');
    await ops.subscribeAsync('$SYS/#');
    // A new client makes aedes publish $SYS/<id>/new/clients (and new/subscribes on SUBSCRIBE).
    const other = await connect(broker, { clientId: 'secret-session' });
    await other.subscribeAsync('gerrit/#');
    await until(
      () => opsTopics.some((t) => /^\$SYS\/[^/]+\/new\/subscribes$/.test(t)),
      'new/subscribes at ops',
    );
    expect(opsTopics.some((t) => /^\$SYS\/[^/]+\/new\/clients$/.test(t))).toBe(true);
    expect(anonymousTopics.filter((t) => /\/(new|disconnect)\//.test(t))).toEqual([]);
  });

  it('anonymous # subscribers never receive a denied prefix, live or retained', async () => {
    const broker = await start({ anonymous: { deny: ['private/#'] } });
    const gerrit = await connect(broker, { username: 'gerrit', password: 'gerrit-pw' });
    await gerrit.publishAsync('private/retained', 'r', { qos: 1, retain: true });
    const anonymous = await connect(broker);
    const ops = await connect(broker, { username: 'ops', password: 'ops-pw' });
    const anonymousTopics = received(anonymous);
    const opsTopics = received(ops);
    // A filter wholly inside the denied prefix is refused outright (SUBACK 0x80).
    await expect(anonymous.subscribeAsync('private/#')).rejects.toThrow(/Subscribe error/);
    await anonymous.subscribeAsync('#');
    await ops.subscribeAsync('#');
    await gerrit.publishAsync('private/live', 'l', { qos: 1 });
    await gerrit.publishAsync('gerrit/marker', 'm', { qos: 1 });
    await until(
      () => anonymousTopics.includes('gerrit/marker') && opsTopics.includes('gerrit/marker'),
      'the marker',
    );
    expect(anonymousTopics).toEqual(['gerrit/marker']);
    expect(opsTopics.sort()).toEqual(['gerrit/marker', 'private/live', 'private/retained']);
  });

  it('…nor offline: a persistent anonymous session gets only the allowed messages queued while away', async () => {
    const broker = await start({ anonymous: { deny: ['private/#'] } });
    const options: IClientOptions = { clientId: 'offline-reader', clean: false };
    const first = await connect(broker, options);
    await first.subscribeAsync('#', { qos: 1 });
    await first.endAsync();
    const gerrit = await connect(broker, { username: 'gerrit', password: 'gerrit-pw' });
    await gerrit.publishAsync('private/while-away', 'p', { qos: 1 });
    await gerrit.publishAsync('gerrit/while-away', 'g', { qos: 1 });
    // Queue the listener before CONNACK so offline messages flushed right after it are seen.
    const topics: string[] = [];
    const again = mqtt.connect(broker.url('mqtt')!, { ...options, reconnectPeriod: 0 });
    opened.push(() => again.endAsync(true));
    again.on('message', (topic) => topics.push(topic));
    await until(() => topics.includes('gerrit/while-away'), 'the offline message');
    await gerrit.publishAsync('gerrit/marker', 'm', { qos: 1 });
    await until(() => topics.includes('gerrit/marker'), 'the marker');
    expect(topics).toEqual(['gerrit/while-away', 'gerrit/marker']);
  });
});
