import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ansible, createServiceEvent } from '@firehose/schema';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { hashPassword, type BrokerConfigInput } from '../src/index.js';
import { client, collect, connectCollecting, startBroker, waitFor, type Received } from './helpers.js';

const require = createRequire(import.meta.url);
const SECRET = 'SUPERSECRET-db-root-pw';

/** The reproduction: an ansible task result Ansible was told to hide (`no_log`). */
function noLogResult(): { topic: string; payload: string } {
  const fixture = JSON.parse(
    readFileSync(require.resolve('@firehose/schema/fixtures/ansible/task-result.json'), 'utf8'),
  ) as {
    data: Record<string, unknown>;
  };
  const event = createServiceEvent(ansible.taskResult, fixture.data as never);
  const data = { ...event.data, ansible_result: { _ansible_no_log: true, password: SECRET } };
  return { topic: ansible.taskResult.topicFor(data), payload: JSON.stringify({ ...event, data }) };
}

/** MQTT.js rejects a SUBACK 0x80; this resolves to the granted code either way. */
async function granted(c: MqttClient, filter: string): Promise<number> {
  try {
    return (await c.subscribeAsync(filter, { qos: 1 }))[0]!.qos;
  } catch (error) {
    return (error as { packet?: { granted?: number[] } }).packet?.granted?.[0] ?? -1;
  }
}

const text = (messages: Received[]): string =>
  messages.map((m) => `${m.topic} ${m.payload.toString()}`).join('\n');

async function setup(validation: BrokerConfigInput['validation'] = {}) {
  const pw = await hashPassword('pw');
  const broker = await startBroker({
    accounts: {
      ansible: { password: pw, write: ['ansible/#'] },
      gerrit: { password: pw, write: ['gerrit/#'] },
      // An account reading all of $firehose is no detail reader unless validation.details says so.
      auditor: { password: pw, read: ['$firehose/#'] },
      ops: { password: pw },
    },
    validation,
    catalogue: { interval: 0 },
    sys: { interval: 0 },
  });
  const url = broker.url('mqtt')!;
  const anonymous = await connectCollecting(url);
  await anonymous.client.subscribeAsync(['$firehose/#'], { qos: 1 });
  const auditor = await connectCollecting(url, { username: 'auditor', password: 'pw' });
  await auditor.client.subscribeAsync(['$firehose/#'], { qos: 1 });
  const ansiblePublisher = await client(url, { username: 'ansible', password: 'pw' });
  const gerritPublisher = await client(url, { username: 'gerrit', password: 'pw' });
  return { broker, url, anonymous, auditor, ansiblePublisher, gerritPublisher };
}

describe('refused publishes: public records and invalid details', { timeout: 60_000 }, () => {
  it('by default anonymous readers get the reason but no payload byte, live or retained, and nobody gets details', async () => {
    const { url, anonymous, auditor, ansiblePublisher } = await setup();
    const { topic, payload } = noLogResult();
    await ansiblePublisher.publishAsync(topic, payload, { qos: 1 });
    await waitFor(() => anonymous.seen.some((m) => m.topic === '$firehose/invalid/ansible'), 20_000);
    const record = JSON.parse(
      anonymous.seen.find((m) => m.topic === '$firehose/invalid/ansible')!.payload.toString(),
    ) as Record<string, unknown>;
    expect(record).toEqual({
      time: expect.any(String),
      topic,
      service: 'ansible',
      publisher: 'ansible',
      status: 'invalid',
      code: 'INVALID_PAYLOAD',
      reason:
        'The ansible.task-result v1 payload is invalid at /ansible_result: it is a no_log result; publish redactAnsibleResult(result) instead.',
      path: '/data/ansible_result',
      eventType: 'ansible.task-result',
      bytes: Buffer.byteLength(payload),
    });
    // A late subscriber gets the retained record, still without the payload.
    const late = await connectCollecting(url);
    await late.client.subscribeAsync('$firehose/#', { qos: 1 });
    await waitFor(() => late.seen.some((m) => m.topic === '$firehose/invalid/ansible' && m.retain), 20_000);
    await waitFor(() => auditor.seen.some((m) => m.topic === '$firehose/invalid/ansible'), 20_000);
    for (const reader of [anonymous.seen, late.seen, auditor.seen]) {
      expect(text(reader)).not.toContain(SECRET);
      expect(reader.some((m) => m.topic.startsWith('$firehose/invalid-detail/'))).toBe(false);
    }
    // Nor can anyone subscribe to the details directly (SUBACK 0x80).
    expect(await granted(late.client, '$firehose/invalid-detail/#')).toBe(128);
    expect(await granted(auditor.client, '$firehose/invalid-detail/#')).toBe(128);
  });

  it('details.readers read every refusal, live and retained, with no_log results redacted even for them', async () => {
    const { url, anonymous, auditor, ansiblePublisher, gerritPublisher } = await setup({
      details: { readers: ['ops'] },
    });
    const ops = await connectCollecting(url, { username: 'ops', password: 'pw' });
    await ops.client.subscribeAsync('$firehose/invalid-detail/#', { qos: 1 });
    const { topic, payload } = noLogResult();
    await ansiblePublisher.publishAsync(topic, payload, { qos: 1 });
    await gerritPublisher.publishAsync(
      'gerrit/openstack/nova/comment-added',
      '{"password": "hunter2-not-json',
      { qos: 1 },
    );
    await waitFor(() => ops.seen.length === 2, 20_000);
    const [noLog, notJson] = ops.seen.map((m) => ({
      topic: m.topic,
      record: JSON.parse(m.payload.toString()) as Record<string, unknown>,
    }));
    expect(noLog!.topic).toBe('$firehose/invalid-detail/ansible/ansible');
    expect(noLog!.record).toMatchObject({
      publisher: 'ansible',
      code: 'INVALID_PAYLOAD',
      redacted: true,
      clientId: ansiblePublisher.options.clientId,
    });
    expect(noLog!.record.excerpt).toContain('"_ansible_no_log":true');
    expect(noLog!.record.excerpt).not.toContain(SECRET);
    expect(notJson!.topic).toBe('$firehose/invalid-detail/gerrit/gerrit');
    // Readers get the full reason and the raw excerpt of what holds no marked secret.
    expect(notJson!.record).toMatchObject({
      excerpt: '{"password": "hunter2-not-json',
      reason: expect.stringMatching(/^The payload is not JSON \(/),
    });
    // Anonymous clients and other accounts never get a detail record, even when subscribed to $firehose/#.
    await waitFor(
      () => anonymous.seen.filter((m) => m.topic.startsWith('$firehose/invalid/')).length === 2,
      20_000,
    );
    await waitFor(
      () => auditor.seen.filter((m) => m.topic.startsWith('$firehose/invalid/')).length === 2,
      20_000,
    );
    for (const reader of [anonymous.seen, auditor.seen]) {
      expect(reader.some((m) => m.topic.startsWith('$firehose/invalid-detail/'))).toBe(false);
      expect(text(reader)).not.toContain('hunter2');
    }
    // Retained: an operator subscribing later reads the latest detail per service and publisher.
    const later = await connectCollecting(url, { username: 'ops', password: 'pw' });
    await later.client.subscribeAsync('$firehose/invalid-detail/#', { qos: 1 });
    await waitFor(() => later.seen.length === 2, 20_000);
    expect(later.seen.every((m) => m.retain)).toBe(true);
    const lateAnonymous = await connectCollecting(url);
    await lateAnonymous.client.subscribeAsync('$firehose/#', { qos: 1 });
    await waitFor(
      () => lateAnonymous.seen.filter((m) => m.topic.startsWith('$firehose/invalid/')).length === 2,
      20_000,
    );
    expect(lateAnonymous.seen.some((m) => m.topic.startsWith('$firehose/invalid-detail/'))).toBe(false);
  });

  it('details.publisher lets each account read its own refusals only', async () => {
    const { ansiblePublisher, gerritPublisher } = await setup({ details: { publisher: true } });
    const own = collect(gerritPublisher);
    const other = collect(ansiblePublisher);
    await gerritPublisher.subscribeAsync('$firehose/invalid-detail/#', { qos: 1 });
    await ansiblePublisher.subscribeAsync('$firehose/invalid-detail/#', { qos: 1 });
    await gerritPublisher.publishAsync('gerrit/openstack/nova/comment-added', '{not json', { qos: 1 });
    await waitFor(() => own.some((m) => m.topic === '$firehose/invalid-detail/gerrit/gerrit'), 20_000);
    const { topic, payload } = noLogResult();
    await ansiblePublisher.publishAsync(topic, payload, { qos: 1 });
    await waitFor(() => other.some((m) => m.topic === '$firehose/invalid-detail/ansible/ansible'), 20_000);
    expect(own.map((m) => m.topic)).toEqual(['$firehose/invalid-detail/gerrit/gerrit']);
    expect(other.map((m) => m.topic)).toEqual(['$firehose/invalid-detail/ansible/ansible']);
  });

  it('a reload can name readers; until then no detail record is published at all', async () => {
    const { broker, url, gerritPublisher } = await setup();
    const ops = await connectCollecting(url, { username: 'ops', password: 'pw' });
    expect(await granted(ops.client, '$firehose/invalid-detail/#')).toBe(128);
    await gerritPublisher.publishAsync('gerrit/openstack/nova/comment-added', '{before', { qos: 1 });
    const pw = await hashPassword('pw');
    broker.reload({
      accounts: { gerrit: { password: pw, write: ['gerrit/#'] }, ops: { password: pw } },
      validation: { details: { readers: ['ops'] } },
    });
    expect(await granted(ops.client, '$firehose/invalid-detail/#')).toBe(1);
    await gerritPublisher.publishAsync('gerrit/openstack/nova/comment-added', '{after', { qos: 1 });
    await waitFor(() => ops.seen.length === 1, 20_000);
    expect(JSON.parse(ops.seen[0]!.payload.toString())).toMatchObject({ excerpt: '{after' });
    // Taking the right away holds for the connected, already subscribed client too.
    broker.reload({ accounts: { gerrit: { password: pw, write: ['gerrit/#'] }, ops: { password: pw } } });
    await ops.client.subscribeAsync('$firehose/invalid/gerrit', { qos: 1 });
    await gerritPublisher.publishAsync('gerrit/openstack/nova/comment-added', '{revoked', { qos: 1 });
    await gerritPublisher.publishAsync('gerrit/openstack/nova/comment-added', '{sync', { qos: 1 });
    // One connection receives in order: once the later public record is here, the earlier detail would be too.
    await waitFor(
      () => ops.seen.some((m) => !m.retain && m.payload.toString().includes('"bytes":5}')),
      20_000,
    );
    expect(ops.seen.filter((m) => m.topic.startsWith('$firehose/invalid-detail/'))).toHaveLength(1);
  });
});
