import {
  FirehoseError,
  isFirehoseError,
  validateEnvelope,
  validateTopic,
  type FirehoseEvent,
} from '@firehose/protocol';
import { catalogue as builtInCatalogue, createServiceEvent, type Catalogue } from '@firehose/schema';

/** One message ready to send: the topic and the exact envelope, already validated. */
export interface PreparedMessage {
  readonly topic: string;
  readonly event: FirehoseEvent;
  /** Set when no schema declares the topic: sent anyway (the broker decides), but the user is told. */
  readonly undeclared: boolean;
}

export interface PublishInput {
  readonly topic: string | undefined;
  /** Parsed JSON: service data, a full envelope, or a `tail -o ndjson` record `{topic, event}`. */
  readonly value: unknown;
  /** Where the value came from, for error messages: `argument`, `line 3`, `event.json`. */
  readonly origin: string;
  readonly source?: string | undefined;
  /** Where topics and event types are looked up. @default the built-in services */
  readonly catalogue?: Catalogue;
}

/**
 * Turns one input into a validated envelope, or throws a FirehoseError whose message starts with
 * the origin and JSON path. `pub` prepares every message before sending any, so a bad line 7 means
 * nothing was published.
 */
export function preparePublish(input: PublishInput): PreparedMessage {
  const { origin } = input;
  const catalogue = input.catalogue ?? builtInCatalogue;
  let topic = input.topic;
  let value = input.value;
  // `firehose tail -o ndjson > saved; firehose pub - < saved` replays a capture.
  if (
    isRecord(value) &&
    typeof value.topic === 'string' &&
    isRecord(value.event) &&
    !('specversion' in value)
  ) {
    topic = value.topic;
    value = value.event;
  }
  if (topic === undefined)
    throw fail(origin, 'has no topic; give one as the first argument or use --service/--event.');
  try {
    validateTopic(topic);
  } catch (error) {
    throw fail(origin, isFirehoseError(error) ? error.message : String(error));
  }
  const envelope =
    isRecord(value) && value.specversion !== undefined
      ? checked(() => validateEnvelope(value), origin)
      : undefined;
  if (envelope === undefined) {
    const match = catalogue.lookup(topic);
    if (match === undefined) {
      throw undeclared(
        origin,
        `topic ${topic} is not declared by any service (built in, or the broker's own), so its data cannot be wrapped automatically; publish a full CloudEvents envelope, or check the topic with 'firehose topics'.`,
      );
    }
    const event = checked(
      () =>
        createServiceEvent(match.eventType, value as never, {
          catalogue,
          ...(input.source === undefined ? {} : { source: input.source }),
        }),
      origin,
      '/data',
    );
    return finish(topic, event, origin, catalogue);
  }
  return finish(topic, envelope, origin, catalogue);
}

function finish(topic: string, event: FirehoseEvent, origin: string, catalogue: Catalogue): PreparedMessage {
  const result = catalogue.checkEvent(topic, event);
  switch (result.status) {
    case 'valid':
      return { topic, event, undeclared: false };
    case 'undeclared':
      return { topic, event, undeclared: true };
    case 'invalid':
      throw fail(origin, pathMessage(result.error));
  }
}

function checked<T>(build: () => T, origin: string, prefix = ''): T {
  try {
    return build();
  } catch (error) {
    if (!isFirehoseError(error)) throw error;
    // Schema errors carry a path relative to `data`; name it from the envelope root unless the
    // message already shows where.
    if (error.path === undefined || error.message.includes(error.path))
      throw fail(origin, error.message, error);
    const path = error.path.startsWith('/data') ? error.path : `${prefix}${error.path}`;
    throw fail(origin, `${path}: ${error.message}`, error);
  }
}

function pathMessage(error: FirehoseError): string {
  return error.path === undefined || error.message.includes(error.path)
    ? error.message
    : `${error.path}: ${error.message}`;
}

/** Thrown for data on a topic no known service declares: `pub` asks the broker for its services then. */
export class UndeclaredTopic extends FirehoseError {}

function undeclared(origin: string, message: string): FirehoseError {
  return new UndeclaredTopic('INVALID_PAYLOAD', `${origin}: ${message}`);
}

function fail(origin: string, message: string, cause?: unknown): FirehoseError {
  return new FirehoseError('INVALID_PAYLOAD', `${origin}: ${message}`, cause === undefined ? {} : { cause });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
