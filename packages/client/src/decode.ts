import { FirehoseError, isFirehoseError, parseEvent, type FirehoseEvent } from '@firehose/protocol';
import type { Catalogue } from '@firehose/schema';
import type { DedupeWindow } from './dedupe-window.js';
import type { InvalidEvent, ReceivedEvent } from './types.js';

export type Decoded =
  | { readonly kind: 'event'; readonly received: ReceivedEvent }
  | { readonly kind: 'invalid'; readonly invalid: InvalidEvent }
  | { readonly kind: 'duplicate' };

const NO_PARAMS: Record<string, string> = Object.freeze({});

function asFirehoseError(error: unknown): FirehoseError {
  if (isFirehoseError(error)) return error;
  return new FirehoseError('INVALID_ENVELOPE', 'The payload could not be read as a CloudEvents envelope.', {
    cause: error,
  });
}

/**
 * Parses one MQTT message once: envelope, dedupe, then (optionally) the schema check, which also
 * parses the topic parameters. Never throws.
 */
export function decodeMessage(
  topic: string,
  payload: Uint8Array,
  validate: boolean,
  dedupe: DedupeWindow | undefined,
  { checkEvent, lookup }: Catalogue,
): Decoded {
  const receivedAt = new Date();
  let event: FirehoseEvent;
  try {
    event = parseEvent(payload);
  } catch (error) {
    return {
      kind: 'invalid',
      invalid: { topic, payload, error: asFirehoseError(error), event: undefined, receivedAt },
    };
  }
  // Dedupe before the schema check: a redelivered copy costs one Map lookup, not a validation.
  if (dedupe !== undefined && !dedupe.add(event.source, event.id)) return { kind: 'duplicate' };
  if (validate) {
    const result = checkEvent(topic, event);
    switch (result.status) {
      case 'valid':
        return {
          kind: 'event',
          received: { topic, event, eventType: result.eventType, params: result.params, receivedAt, payload },
        };
      case 'undeclared':
        return {
          kind: 'event',
          received: { topic, event, eventType: undefined, params: NO_PARAMS, receivedAt, payload },
        };
      case 'invalid':
        return { kind: 'invalid', invalid: { topic, payload, error: result.error, event, receivedAt } };
    }
  }
  const found = lookup(topic);
  return {
    kind: 'event',
    received: {
      topic,
      event,
      eventType: found?.eventType,
      params: found?.params ?? NO_PARAMS,
      receivedAt,
      payload,
    },
  };
}
