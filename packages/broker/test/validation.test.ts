import { describe, expect, it } from 'vitest';
import { hashPassword, type ValidationInput } from '../src/index.js';
import {
  client,
  collect,
  connectCollecting,
  gerritCommentAdded,
  sleep,
  startBroker,
  waitFor,
} from './helpers.js';

const TOPIC = 'gerrit/openstack/nova/comment-added';

async function setup(validation: ValidationInput = {}) {
  const broker = await startBroker({
    accounts: { gerrit: { password: await hashPassword('pw'), write: ['gerrit/#'] } },
    validation,
    catalogue: { interval: 0 },
  });
  const { client: reader, seen } = await connectCollecting(broker.url('mqtt')!);
  await reader.subscribeAsync(['#', '$firehose/#'], { qos: 1 });
  const publisher = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
  return { broker, reader, seen, publisher };
}

describe('validation in the publish path', () => {
  it('acknowledges an invalid event, keeps the publisher connected, delivers nothing and records it', async () => {
    const { broker, seen, publisher } = await setup();
    const bad = gerritCommentAdded() as unknown as { data: { change: { number: unknown } } };
    bad.data.change.number = 'not-a-number';
    let closed = false;
    publisher.on('close', () => (closed = true));
    // QoS 1 resolves only on PUBACK: MQTT 3.1.1 has no negative acknowledgement.
    await publisher.publishAsync(TOPIC, JSON.stringify(bad), { qos: 1 });
    await publisher.publishAsync(TOPIC, '{not json', { qos: 1 });
    const good = gerritCommentAdded(1);
    await publisher.publishAsync(TOPIC, JSON.stringify(good), { qos: 1 });
    await waitFor(
      () =>
        seen.filter((m) => m.topic === '$firehose/invalid/gerrit').length === 2 &&
        seen.some((m) => m.topic === TOPIC),
    );
    await sleep(100);
    expect(closed).toBe(false);
    expect(publisher.connected).toBe(true);
    const delivered = seen.filter((m) => m.topic === TOPIC);
    expect(delivered.map((m) => JSON.parse(m.payload.toString()) as unknown)).toEqual([good]);
    const records = seen
      .filter((m) => m.topic === '$firehose/invalid/gerrit')
      .map((m) => JSON.parse(m.payload.toString()) as Record<string, unknown>);
    expect(records[0]).toMatchObject({
      topic: TOPIC,
      publisher: 'gerrit',
      status: 'invalid',
      path: '/data/change/number',
      eventType: 'gerrit.comment-added',
    });
    expect(records[1]).toMatchObject({
      topic: TOPIC,
      code: 'INVALID_ENVELOPE',
      reason: 'The payload is not JSON; send a JSON CloudEvents envelope.',
      bytes: 9,
    });
    // The public record carries no payload bytes and no client id: anonymous clients read it.
    for (const record of records) expect(Object.keys(record).sort()).not.toContain('excerpt');
    for (const record of records) expect(Object.keys(record).sort()).not.toContain('clientId');
    expect(records[0]!.reason).toBe(
      'The gerrit.comment-added v1 payload is invalid at /change/number: expected integer, got a string.',
    );
    expect(broker.stats.droppedCount('invalid')).toBe(2);
  });

  it('caps the excerpt of a detail record', async () => {
    const { seen, publisher } = await setup({ invalidExcerptBytes: 16, details: { publisher: true } });
    await publisher.subscribeAsync('$firehose/invalid-detail/#', { qos: 1 });
    const own = collect(publisher);
    await publisher.publishAsync(TOPIC, 'x'.repeat(5000), { qos: 1 });
    await waitFor(() => seen.some((m) => m.topic === '$firehose/invalid/gerrit') && own.length > 0, 20_000);
    const record = JSON.parse(seen.find((m) => m.topic === '$firehose/invalid/gerrit')!.payload.toString());
    expect(record).toMatchObject({ bytes: 5000 });
    expect(record.excerpt).toBeUndefined();
    expect(own[0]!.topic).toBe('$firehose/invalid-detail/gerrit/gerrit');
    expect(JSON.parse(own[0]!.payload.toString())).toMatchObject({
      bytes: 5000,
      excerpt: 'x'.repeat(16),
      clientId: publisher.options.clientId,
    });
  });

  it('diverts a payload that is not UTF-8', async () => {
    const { seen, publisher } = await setup();
    await publisher.publishAsync(TOPIC, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { qos: 1 });
    await waitFor(() => seen.some((m) => m.topic === '$firehose/invalid/gerrit'));
    const record = JSON.parse(seen.find((m) => m.topic === '$firehose/invalid/gerrit')!.payload.toString());
    expect(record).toMatchObject({ code: 'INVALID_ENVELOPE', bytes: 4 });
    expect(seen.some((m) => m.topic === TOPIC)).toBe(false);
  });

  it('refuses a declared topic with a badly encoded level instead of delivering it as undeclared', async () => {
    const { broker, seen, publisher } = await setup();
    // Subscribers to gerrit/openstack/nova/# would never see it: the project must be two levels.
    const misencoded = 'gerrit/openstack%2Fnova/comment-added';
    await publisher.publishAsync(misencoded, JSON.stringify(gerritCommentAdded()), { qos: 1 });
    await waitFor(() => seen.some((m) => m.topic === '$firehose/invalid/gerrit'));
    const record = JSON.parse(seen.find((m) => m.topic === '$firehose/invalid/gerrit')!.payload.toString());
    expect(record).toMatchObject({
      topic: misencoded,
      status: 'invalid',
      code: 'INVALID_TOPIC',
      eventType: 'gerrit.comment-added',
    });
    expect(seen.some((m) => m.topic === misencoded)).toBe(false);
    expect(broker.stats.droppedCount('invalid')).toBe(1);
  });

  it('delivers undeclared topics by default and counts them in the catalogue', async () => {
    const { broker, seen, publisher } = await setup();
    await publisher.publishAsync('gerrit/openstack/nova/brand-new-event', '{"anything":1}', { qos: 1 });
    await publisher.publishAsync(TOPIC, JSON.stringify(gerritCommentAdded()), { qos: 1 });
    await waitFor(() => seen.filter((m) => !m.topic.startsWith('$')).length === 2);
    broker.publishCatalogue();
    const node = broker.nodeId;
    const declaredTopic = `$firehose/catalogue/${node}/declared/gerrit.comment-added`;
    const undeclaredTopic = `$firehose/catalogue/${node}/undeclared/gerrit/openstack/nova/brand-new-event`;
    await waitFor(
      () => seen.some((m) => m.topic === declaredTopic) && seen.some((m) => m.topic === undeclaredTopic),
    );
    const declared = JSON.parse(seen.find((m) => m.topic === declaredTopic)!.payload.toString());
    expect(declared).toMatchObject({
      kind: 'declared',
      name: 'gerrit.comment-added',
      count: 1,
      invalid: 0,
      publishers: ['gerrit'],
    });
    const undeclared = JSON.parse(seen.find((m) => m.topic === undeclaredTopic)!.payload.toString());
    expect(undeclared).toMatchObject({ kind: 'undeclared', count: 1, publishers: ['gerrit'] });

    // Retained: a client arriving later reads "declared vs observed" without waiting.
    const late = await client(broker.url('mqtt')!);
    const lateSeen = collect(late);
    await late.subscribeAsync(`$firehose/catalogue/${node}/declared/gerrit.change-merged`);
    await waitFor(() => lateSeen.length === 1);
    expect(JSON.parse(lateSeen[0]!.payload.toString())).toMatchObject({ count: 0, lastSeen: null });
  });

  it('diverts undeclared topics when validation.undeclared is reject', async () => {
    const { broker, seen, publisher } = await setup({ undeclared: 'reject' });
    await publisher.publishAsync('gerrit/openstack/nova/brand-new-event', '{"anything":1}', { qos: 1 });
    await waitFor(() => seen.some((m) => m.topic === '$firehose/invalid/gerrit'));
    expect(seen.filter((m) => !m.topic.startsWith('$'))).toEqual([]);
    expect(broker.stats.droppedCount('undeclared_rejected')).toBe(1);
  });

  it('skips validation for a service whose validation is turned off', async () => {
    const { seen, publisher } = await setup({ services: { gerrit: { enabled: false } } });
    await publisher.publishAsync(TOPIC, '{not json', { qos: 1 });
    await waitFor(() => seen.some((m) => m.topic === TOPIC));
    expect(seen.some((m) => m.topic.startsWith('$firehose/invalid'))).toBe(false);
  });

  it('keeps delivering a publisher’s messages after an invalid QoS 2 publish', async () => {
    const { seen, publisher } = await setup();
    // Before @firehose/aedes, a diverted QoS 2 publish kept its place in the publisher's order,
    // and everything that publisher sent afterwards waited behind it forever.
    await publisher.publishAsync(TOPIC, '{not json', { qos: 2 });
    const good = gerritCommentAdded(2);
    await publisher.publishAsync(TOPIC, JSON.stringify(good), { qos: 2 });
    await publisher.publishAsync(TOPIC, JSON.stringify(gerritCommentAdded(3)), { qos: 1 });
    await waitFor(() => seen.filter((m) => m.topic === TOPIC).length === 2);
    expect(JSON.parse(seen.find((m) => m.topic === TOPIC)!.payload.toString())).toEqual(good);
  });
});
