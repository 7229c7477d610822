import { CloudEvent, MQTT, MQTTMessageFactory } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { createEvent, parseEvent, validateEnvelope } from './envelope.js';
import { isFirehoseError, type FirehoseError } from './errors.js';
import { eventId } from './event-id.js';

const commentAdded = {
  source: 'https://review.opendev.org',
  type: 'gerrit.comment-added',
  dataschema: 'urn:firehose:schema:gerrit.comment-added:1',
  subject: 'openstack/nova/change/912345',
  data: { type: 'comment-added', change: { project: 'openstack/nova', number: 912345 } },
};

describe('createEvent', () => {
  it('builds a CloudEvents 1.0 envelope that the official SDK accepts', () => {
    const event = createEvent({ ...commentAdded, time: '2026-11-25T12:00:00Z' });
    expect(event).toMatchObject({
      specversion: '1.0',
      datacontenttype: 'application/json',
      time: '2026-11-25T12:00:00Z',
    });
    const cloudEvent = new CloudEvent({ ...event }, true);
    expect(cloudEvent.validate()).toBe(true);
    // The MQTT 3.1.1 binding carries it in structured mode: the payload is the JSON envelope.
    const message = MQTTMessageFactory('application/cloudevents+json', {}, JSON.stringify(event));
    const received = MQTT.toEvent(message) as CloudEvent<unknown>;
    expect(received.id).toBe(event.id);
    expect(received.type).toBe('gerrit.comment-added');
    expect(received.data).toEqual(commentAdded.data);
  });

  it('derives the same id from the same upstream identity, and different ids otherwise', () => {
    const a = createEvent({ ...commentAdded, identity: [912345, 3, 'comment-added', 1764072000] });
    const b = createEvent({ ...commentAdded, identity: [912345, 3, 'comment-added', 1764072000] });
    const c = createEvent({ ...commentAdded, identity: [912345, 4, 'comment-added', 1764072000] });
    const other = createEvent({
      ...commentAdded,
      source: 'https://review.example.org',
      identity: [912345, 3, 'comment-added', 1764072000],
    });
    expect(a.id).toBe(b.id);
    expect(a.id).not.toBe(c.id);
    expect(a.id).not.toBe(other.id);
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.id).toBe(eventId('https://review.opendev.org', [912345, 3, 'comment-added', 1764072000]));
  });

  it('uses random v4 ids without an identity, and an explicit id when given', () => {
    const ids = new Set(Array.from({ length: 100 }, () => createEvent(commentAdded).id));
    expect(ids.size).toBe(100);
    expect([...ids][0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab]/);
    expect(createEvent({ ...commentAdded, id: 'abc' }).id).toBe('abc');
  });

  it('refuses to build an envelope with a relative source', () => {
    expect(() => createEvent({ ...commentAdded, source: 'review.opendev.org' })).toThrow(
      /source must be an absolute URI/,
    );
  });
});

describe('parseEvent', () => {
  const good = createEvent({ ...commentAdded, time: '2026-11-25T12:00:00.123+01:00' });

  it('parses bytes and strings and keeps extension attributes', () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ ...good, traceparent: '00-abc' }));
    expect(parseEvent(bytes)).toEqual({ ...good, traceparent: '00-abc' });
    expect(parseEvent(JSON.stringify(good))).toEqual(good);
  });

  it.each([
    ['not JSON', '{"specversion":', '', /not JSON/],
    ['a JSON array', '[]', '', /must be a JSON object/],
    [
      'a wrong specversion',
      { ...good, specversion: '0.3' },
      '/specversion',
      /specversion must be "1.0"; got "0.3"/,
    ],
    ['a missing id', { ...good, id: undefined }, '/id', /id must be a non-empty string; it is missing/],
    ['an empty type', { ...good, type: '' }, '/type', /type must be a non-empty string/],
    ['a relative source', { ...good, source: '/gerrit' }, '/source', /absolute URI/],
    ['a bad time', { ...good, time: 'yesterday' }, '/time', /RFC 3339/],
    [
      'a bad content type',
      { ...good, datacontenttype: 'text/plain' },
      '/datacontenttype',
      /application\/json/,
    ],
    ['a missing dataschema', { ...good, dataschema: undefined }, '/dataschema', /dataschema must be a URI/],
    ['an empty subject', { ...good, subject: '' }, '/subject', /subject/],
    ['missing data', { ...good, data: undefined }, '/data', /data is required/],
  ])('rejects %s with INVALID_ENVELOPE naming the field', (_, input, path, message) => {
    const payload = typeof input === 'string' ? input : JSON.stringify(input);
    try {
      parseEvent(payload);
      expect.unreachable();
    } catch (error) {
      expect(isFirehoseError(error, 'INVALID_ENVELOPE')).toBe(true);
      expect((error as { path: string }).path).toBe(path);
      expect((error as Error).message).toMatch(message);
    }
  });

  it.each([
    ['not JSON', '{"secret": CANARY-not-json'],
    ['a wrong specversion', JSON.stringify({ ...good, specversion: 'CANARY-specversion' })],
    ['a bad source', JSON.stringify({ ...good, source: 'CANARY source' })],
    ['an object where a string belongs', JSON.stringify({ ...good, time: { token: 'CANARY-time' } })],
  ])('keeps the input out of the redacted message of %s', (_, payload) => {
    let caught: unknown;
    try {
      parseEvent(payload);
    } catch (error) {
      caught = error;
    }
    expect(isFirehoseError(caught, 'INVALID_ENVELOPE')).toBe(true);
    const error = caught as FirehoseError;
    // The full message quotes the input (publishers want to see it); the redacted one never does.
    expect(error.message).toContain('CANARY');
    expect(error.redactedMessage).not.toContain('CANARY');
    expect(error.redactedMessage).toMatch(
      /^(The payload is not JSON|Invalid envelope: .*; got (a string|an object))/,
    );
  });

  it('rejects invalid UTF-8 instead of decoding it with replacement characters', () => {
    expect(() => parseEvent(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(/UTF-8/);
  });

  it('validates already-parsed values the same way', () => {
    expect(validateEnvelope(JSON.parse(JSON.stringify(good)))).toEqual(good);
    expect(() => validateEnvelope(null)).toThrow(/JSON object/);
  });
});
