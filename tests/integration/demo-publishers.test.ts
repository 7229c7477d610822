import { fileURLToPath } from 'node:url';
import { readConfigFile, type FirehoseBroker } from '@firehose/broker';
import { startTestBroker } from '@firehose/test-support';
import { loadAccounts, startPublishers, type Publishers } from '@firehose/demo-publishers';
import { parseEvent } from '@firehose/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';

// The committed demo config and credentials, so this also proves the hashes in demo/broker.yaml
// match the passwords in demo/accounts.json.
const demoConfig = fileURLToPath(new URL('../../demo/broker.yaml', import.meta.url));
const demoAccounts = fileURLToPath(new URL('../../demo/accounts.json', import.meta.url));

async function demoBroker(): Promise<FirehoseBroker> {
  const input = await readConfigFile(demoConfig);
  return startTestBroker({ ...input, listeners: { mqtt: { host: '127.0.0.1', port: 0 } } });
}

describe('demo publishers against a real broker', { timeout: 60_000 }, () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    cleanup.length = 0;
  });

  it('delivers valid events from at least three services to a # subscriber', async () => {
    const broker = await demoBroker();
    cleanup.push(() => broker.close());
    const url = broker.url('mqtt')!;
    const invalid: string[] = [];
    broker.on('invalid', (record) => invalid.push(JSON.stringify(record).slice(0, 300)));
    const subscriber: MqttClient = await connectAsync(url, { reconnectPeriod: 0 });
    cleanup.push(() => subscriber.endAsync());
    const seen = new Map<string, number>();
    const problems: string[] = [];
    let resolveThree: () => void;
    const three = new Promise<void>((resolve) => (resolveThree = resolve));
    subscriber.on('message', (topic, payload) => {
      const service = topic.split('/')[0]!;
      try {
        const event = parseEvent(payload);
        if (!event.type.startsWith(`${service}.`)) problems.push(`${topic}: type ${event.type}`);
      } catch (error) {
        problems.push(`${topic}: ${String(error)}`);
      }
      seen.set(service, (seen.get(service) ?? 0) + 1);
      if (seen.size >= 3) resolveThree();
    });
    await subscriber.subscribeAsync('#', { qos: 1 });

    const accounts = await loadAccounts(demoAccounts);
    const publishers: Publishers = await startPublishers({ url, accounts, rate: 5, seed: 7, warmup: 60_000 });
    cleanup.push(() => publishers.stop());
    await three;
    expect(seen.size).toBeGreaterThanOrEqual(3);
    expect(problems).toEqual([]);
    expect(invalid).toEqual([]);
    await publishers.stop();
    expect(publishers.total).toBeGreaterThan(0);
    expect(publishers.stats.failed).toBe(0);
  });

  it('refuses to start with a wrong password, closing what it opened', async () => {
    const broker = await demoBroker();
    cleanup.push(() => broker.close());
    const accounts = await loadAccounts(demoAccounts);
    const wrong = { ...accounts, zuul: { username: 'zuul', password: 'not-the-password' } };
    await expect(
      startPublishers({ url: broker.url('mqtt')!, accounts: wrong, seed: 1 }),
    ).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    // The five accounts that did log in were closed again.
    await expect.poll(() => broker.stats.clientsConnected).toBe(0);
  });
});
