import { FirehoseError, valueKind } from './errors.js';
import { eventId, randomEventId, type EventIdentity } from './event-id.js';

/**
 * A firehose message: a CloudEvents 1.0 envelope in structured JSON mode (the CloudEvents MQTT 3.1.1
 * binding). Extension attributes that producers add are kept as they are.
 */
export interface FirehoseEvent<Data = unknown> {
  specversion: '1.0';
  /** Unique per `source`; derived from the upstream event when it has an identity, so replays dedupe. */
  id: string;
  /** Absolute URI of the upstream instance, e.g. `https://review.opendev.org`. */
  source: string;
  /** `<service>.<event>`, e.g. `gerrit.comment-added`. */
  type: string;
  /** RFC 3339 time the upstream event happened. */
  time: string;
  datacontenttype: 'application/json';
  /** `urn:firehose:schema:<type>:<major>`: the schema `data` follows. */
  dataschema: string;
  /** What the event is about, e.g. `openstack/nova/change/912345`. */
  subject?: string;
  /** The service's own event. */
  data: Data;
}

export interface CreateEventInput<Data> {
  /** Absolute URI of the upstream instance. */
  source: string;
  type: string;
  data: Data;
  dataschema: string;
  subject?: string;
  /** @default now */
  time?: Date | string;
  /** Upstream identity; when given, `id` is a UUIDv5 of `source` + identity, stable across retries. */
  identity?: EventIdentity;
  /** An explicit id; wins over `identity`. @default a UUIDv4 */
  id?: string;
}

/** Builds an envelope, checking it as `parseEvent` would, so nothing malformed leaves a producer. */
export function createEvent<Data>(input: CreateEventInput<Data>): FirehoseEvent<Data> {
  const time = input.time ?? new Date();
  const event: FirehoseEvent<Data> = {
    specversion: '1.0',
    id: input.id ?? (input.identity === undefined ? randomEventId() : eventId(input.source, input.identity)),
    source: input.source,
    type: input.type,
    time: typeof time === 'string' ? time : time.toISOString(),
    datacontenttype: 'application/json',
    dataschema: input.dataschema,
    ...(input.subject === undefined ? {} : { subject: input.subject }),
    data: input.data,
  };
  return validateEnvelope(event) as FirehoseEvent<Data>;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Parses a payload as a firehose envelope; throws `FirehoseError` (`INVALID_ENVELOPE`) naming the bad field. */
export function parseEvent(payload: Uint8Array | string): FirehoseEvent {
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : decoder.decode(payload);
  } catch (cause) {
    throw new FirehoseError(
      'INVALID_ENVELOPE',
      'The payload is not valid UTF-8; send a JSON CloudEvents envelope.',
      {
        cause,
        path: '',
      },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    // JSON.parse's message quotes the text around the error.
    throw new FirehoseError(
      'INVALID_ENVELOPE',
      `The payload is not JSON (${(cause as Error).message}); send a JSON CloudEvents envelope.`,
      { cause, path: '', redactedMessage: 'The payload is not JSON; send a JSON CloudEvents envelope.' },
    );
  }
  return validateEnvelope(value);
}

// RFC 3986 scheme followed by something: "https://…", "urn:…", "mailto:…".
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;
// RFC 3339 date-time, as CloudEvents requires for `time`.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Checks an already-parsed value is a firehose envelope and returns it typed; throws `INVALID_ENVELOPE`. */
export function validateEnvelope(value: unknown): FirehoseEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('', 'The payload must be a JSON object (a CloudEvents envelope)');
  }
  const event = value as Record<string, unknown>;
  if (event.specversion !== '1.0')
    throw invalid('specversion', 'specversion must be "1.0"', event.specversion);
  requireText(event, 'id');
  requireText(event, 'type');
  if (typeof event.source !== 'string' || !ABSOLUTE_URI.test(event.source)) {
    throw invalid(
      'source',
      'source must be an absolute URI such as "https://review.opendev.org"',
      event.source,
    );
  }
  if (typeof event.time !== 'string' || !RFC3339.test(event.time) || Number.isNaN(Date.parse(event.time))) {
    throw invalid('time', 'time must be an RFC 3339 timestamp such as "2026-11-25T12:00:00Z"', event.time);
  }
  if (event.datacontenttype !== 'application/json') {
    throw invalid('datacontenttype', 'datacontenttype must be "application/json"', event.datacontenttype);
  }
  if (typeof event.dataschema !== 'string' || !ABSOLUTE_URI.test(event.dataschema)) {
    throw invalid(
      'dataschema',
      'dataschema must be a URI such as "urn:firehose:schema:gerrit.comment-added:1"',
      event.dataschema,
    );
  }
  if (event.subject !== undefined && (typeof event.subject !== 'string' || event.subject === '')) {
    throw invalid('subject', 'subject, when present, must be a non-empty string', event.subject);
  }
  if (event.data === undefined) throw invalid('data', 'data is required');
  return value as FirehoseEvent;
}

function requireText(event: Record<string, unknown>, field: 'id' | 'type'): void {
  const value = event[field];
  if (typeof value !== 'string' || value === '')
    throw invalid(field, `${field} must be a non-empty string`, value);
}

function invalid(field: string, expectation: string, actual?: unknown): FirehoseError {
  const got = actual === undefined ? 'it is missing' : `got ${JSON.stringify(actual)?.slice(0, 80)}`;
  const kind = actual === undefined ? 'it is missing' : `got ${valueKind(actual)}`;
  return new FirehoseError('INVALID_ENVELOPE', `Invalid envelope: ${expectation}; ${got}.`, {
    path: field === '' ? '' : `/${field}`,
    redactedMessage: `Invalid envelope: ${expectation}; ${kind}.`,
  });
}
