import { dataschemaUrn, parseEvent, type FirehoseEvent } from '@firehose/protocol';
import { checkEvent, createServiceEvent, eventTypes, gearmanLogstash, gerrit, zuul } from '@firehose/schema';
import { describe, expect, it } from 'vitest';
import { loadFixture } from './fixtures.js';

const fixture = loadFixture(gerrit.commentAdded);
const topic = gerrit.commentAdded.topic({ project: 'openstack/nova' });
const event = createServiceEvent(gerrit.commentAdded, fixture.data as never, {
  time: '2026-11-25T12:00:00Z',
});

function expectInvalid(result: ReturnType<typeof checkEvent>, code: string, path: string | undefined) {
  expect(result.status).toBe('invalid');
  if (result.status !== 'invalid') return;
  expect(result.error.code).toBe(code);
  expect(result.error.path).toBe(path);
  expect(result.error.message).toMatch(/\.$/);
}

describe('createServiceEvent', () => {
  it('fills type, dataschema, subject, source and a deterministic id', () => {
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'gerrit.comment-added',
      source: 'https://review.opendev.org',
      dataschema: 'urn:firehose:schema:gerrit.comment-added:1',
      subject: 'openstack/nova/change/912345',
      time: '2026-11-25T12:00:00Z',
    });
    expect(createServiceEvent(gerrit.commentAdded, fixture.data as never).id).toBe(event.id);
    const other = { ...fixture.data, eventCreatedOn: 1764072001 };
    expect(createServiceEvent(gerrit.commentAdded, other as never).id).not.toBe(event.id);
  });

  it('throws INVALID_PAYLOAD for invalid data', () => {
    expect(() => createServiceEvent(gerrit.commentAdded, { type: 'comment-added' } as never)).toThrow(
      /missing the required field/,
    );
  });
});

describe('checkEvent', () => {
  it('accepts every fixture on its topic, also after a bytes round-trip', () => {
    for (const eventType of eventTypes) {
      const { params, data } = loadFixture(eventType);
      const envelope = createServiceEvent(eventType, data as never);
      const eventTopic = eventType.topic(params);
      const result = checkEvent(eventTopic, parseEvent(JSON.stringify(envelope)));
      expect(result.status === 'invalid' ? result.error.message : result.status, eventTopic).toBe('valid');
      expect(result).toEqual({ status: 'valid', eventType, params });
    }
  });

  it('reports topics no template declares', () => {
    expect(checkEvent('gerrit/openstack/nova/unknown-event', event)).toEqual({ status: 'undeclared' });
    expect(checkEvent('$SYS/broker/load', event)).toEqual({ status: 'undeclared' });
  });

  it('requires the envelope type to match the topic', () => {
    const result = checkEvent('gerrit/openstack/nova/patchset-created', event);
    expectInvalid(result, 'TOPIC_MISMATCH', '/type');
    expect(result.status === 'invalid' && result.eventType).toBe(gerrit.patchsetCreated);
  });

  it('requires data.type to match for Gerrit', () => {
    const wrong = { ...event, data: { ...fixture.data, type: 'patchset-created' } };
    expectInvalid(checkEvent(topic, wrong), 'TOPIC_MISMATCH', '/data/type');
  });

  it('requires topic parameters repeated in the data to agree', () => {
    const result = checkEvent('gerrit/openstack/neutron/comment-added', event);
    expectInvalid(result, 'TOPIC_MISMATCH', '/data/change/project');
    expect(result.status === 'invalid' && result.error.message).toContain(
      'publish it on gerrit/openstack/nova/comment-added',
    );
    const zuulFixture = loadFixture(zuul.report);
    const zuulEvent = createServiceEvent(zuul.report, zuulFixture.data as never);
    expectInvalid(
      checkEvent('zuul/openstack/gate/openstack/nova/master/912345', zuulEvent),
      'TOPIC_MISMATCH',
      '/data/pipeline',
    );
    expectInvalid(
      checkEvent('zuul/openstack/check/openstack/nova/master/1', zuulEvent),
      'TOPIC_MISMATCH',
      '/data/change',
    );
    // Absent fields are not checked: a periodic item has no change.
    const { change: _, patchset: __, ...periodic } = zuulFixture.data;
    const periodicEvent = createServiceEvent(zuul.report, periodic as never);
    expect(checkEvent('zuul/openstack/check/openstack/nova/master/-', periodicEvent).status).toBe('valid');
    expect(zuul.report.topicFor(periodic as never)).toBe('zuul/openstack/check/openstack/nova/master/-');
    // A tag item: no branch, no change.
    const tag = { ...periodic, pipeline: 'release', branch: '', ref: 'refs/tags/30.1.0' };
    const tagTopic = zuul.report.topicFor(tag as never);
    expect(tagTopic).toBe('zuul/openstack/release/openstack/nova/-/-');
    expect(checkEvent(tagTopic, createServiceEvent(zuul.report, tag as never)).status).toBe('valid');
    // Parameters the data does not carry must be given.
    expect(() =>
      gearmanLogstash.retrieveLogs.topicFor(loadFixture(gearmanLogstash.retrieveLogs).data as never),
    ).toThrow(/needs "host"/);
  });

  it('requires a dataschema of the same type and a declared major', () => {
    expectInvalid(
      checkEvent(topic, { ...event, dataschema: dataschemaUrn('gerrit.patchset-created', 1) }),
      'TOPIC_MISMATCH',
      '/dataschema',
    );
    expectInvalid(
      checkEvent(topic, { ...event, dataschema: 'https://example.org/schema.json' }),
      'TOPIC_MISMATCH',
      '/dataschema',
    );
    expectInvalid(
      checkEvent(topic, { ...event, dataschema: dataschemaUrn('gerrit.comment-added', 7) }),
      'UNKNOWN_EVENT_TYPE',
      '/dataschema',
    );
  });

  it('validates data and names the JSON path from the envelope root', () => {
    const data = structuredClone(fixture.data) as { change: { number: unknown } };
    data.change.number = '912345';
    expectInvalid(checkEvent(topic, { ...event, data }), 'INVALID_PAYLOAD', '/data/change/number');
    const { patchSet: _, ...withoutPatchSet } = fixture.data;
    expectInvalid(
      checkEvent(topic, { ...event, data: withoutPatchSet }),
      'INVALID_PAYLOAD',
      '/data/patchSet',
    );
    expectInvalid(checkEvent(topic, { ...event, data: null }), 'INVALID_PAYLOAD', '/data');
  });

  it('rejects non-canonical levels of a declared topic', () => {
    const zuulFixture = loadFixture(zuul.report);
    const zuulEvent = createServiceEvent(zuul.report, zuulFixture.data as never);
    expectInvalid(
      checkEvent('zuul/openstack/check/openstack/nova/%41/912345', zuulEvent),
      'INVALID_TOPIC',
      undefined,
    );
  });

  it('gives every refusal a redacted message that quotes nothing from the event', () => {
    const secret = 'CANARY-check-event';
    const zuulFixture = loadFixture(zuul.report);
    const zuulEvent = createServiceEvent(zuul.report, { ...zuulFixture.data, pipeline: secret } as never);
    const cases: [string, FirehoseEvent][] = [
      [topic, { ...event, type: secret }],
      [topic, { ...event, dataschema: `urn:${secret}` }],
      [topic, { ...event, data: { ...fixture.data, type: secret } }],
      [
        topic,
        {
          ...event,
          data: { ...fixture.data, change: { ...(fixture.data.change as object), number: secret } },
        },
      ],
      [
        topic,
        { ...event, data: { ...fixture.data, change: { ...(fixture.data.change as object), number: true } } },
      ],
      ['zuul/openstack/gate/openstack/nova/master/912345', zuulEvent],
    ];
    for (const [where, published] of cases) {
      const result = checkEvent(where, published);
      expect(result.status, JSON.stringify(published).slice(0, 80)).toBe('invalid');
      if (result.status !== 'invalid') continue;
      expect(result.error.redactedMessage, result.error.message).not.toContain('CANARY');
      expect(result.error.redactedMessage).not.toMatch(/\btrue\b/);
      expect(result.error.redactedMessage).toMatch(/\.$/);
    }
  });

  it('never throws, whatever it is given', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new TypeError('boom');
        },
      },
    ) as FirehoseEvent;
    expectInvalid(checkEvent(topic, hostile), 'INVALID_ENVELOPE', '');
    expectInvalid(checkEvent(topic, null as unknown as FirehoseEvent), 'INVALID_ENVELOPE', '');
    expect(checkEvent(42 as unknown as string, event)).toEqual({ status: 'undeclared' });
  });
});
