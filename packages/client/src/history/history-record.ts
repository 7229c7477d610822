import { FirehoseError, isFirehoseError, validateEnvelope, type FirehoseEvent } from '@firehose/protocol';
import type { Catalogue } from '@firehose/schema';
import type { InvalidEvent } from '../types.js';
import type { HistoryEvent } from './history-types.js';

/** A record as `/v1/events` and `/v1/stream` send it. */
export interface ApiRecord {
  readonly cursor: string;
  readonly topic: string;
  readonly event: unknown;
}

export type DecodedRecord =
  | { readonly kind: 'event'; readonly event: HistoryEvent }
  | { readonly kind: 'invalid'; readonly invalid: InvalidEvent & { readonly cursor: string } };

const NO_PARAMS: Record<string, string> = Object.freeze({});
const encoder = new TextEncoder();

/** Reads one record's shape; a broker that sends something else is a bug worth a clear sentence. */
export function asApiRecord(value: unknown, where: string): ApiRecord {
  const record = value as Partial<ApiRecord> | null;
  if (
    typeof record !== 'object' ||
    record === null ||
    typeof record.cursor !== 'string' ||
    typeof record.topic !== 'string' ||
    typeof record.event !== 'object'
  )
    throw new FirehoseError(
      'CONNECTION_FAILED',
      `${where} sent a record without cursor, topic and event; is that a firehose broker's history API?`,
    );
  return record as ApiRecord;
}

/**
 * An archived record as the event a live handler would have received for it: the envelope checked,
 * topic parameters parsed and (with `validate`) `data` checked against its schema. Never throws.
 */
export function decodeRecord(
  record: ApiRecord,
  validate: boolean,
  { checkEvent, lookup }: Catalogue,
): DecodedRecord {
  const receivedAt = new Date();
  const { cursor, topic } = record;
  // The payload as bytes only when somebody asks (a CLI's --raw): most readers never do.
  let bytes: Uint8Array | undefined;
  const payload = (): Uint8Array => (bytes ??= encoder.encode(JSON.stringify(record.event)));
  let event: FirehoseEvent;
  try {
    event = validateEnvelope(record.event);
  } catch (error) {
    const failure = isFirehoseError(error)
      ? error
      : new FirehoseError('INVALID_ENVELOPE', 'The archived payload is not a CloudEvents envelope.', {
          cause: error,
        });
    return {
      kind: 'invalid',
      invalid: lazyPayload({ topic, cursor, error: failure, event: undefined, receivedAt }, payload),
    };
  }
  if (validate) {
    const result = checkEvent(topic, event);
    if (result.status === 'invalid')
      return {
        kind: 'invalid',
        invalid: lazyPayload({ topic, cursor, error: result.error, event, receivedAt }, payload),
      };
    const declared = result.status === 'valid';
    return {
      kind: 'event',
      event: lazyPayload(
        {
          topic,
          cursor,
          event,
          eventType: declared ? result.eventType : undefined,
          params: declared ? result.params : NO_PARAMS,
          receivedAt,
        },
        payload,
      ),
    };
  }
  const found = lookup(topic);
  return {
    kind: 'event',
    event: lazyPayload(
      { topic, cursor, event, eventType: found?.eventType, params: found?.params ?? NO_PARAMS, receivedAt },
      payload,
    ),
  };
}

function lazyPayload<T extends object>(
  value: T,
  payload: () => Uint8Array,
): T & { readonly payload: Uint8Array } {
  return Object.defineProperty(value, 'payload', { get: payload, enumerable: false }) as T & {
    readonly payload: Uint8Array;
  };
}
