import { FirehoseError, parseDataschema, type FirehoseEvent } from '@firehose/protocol';
import { readKeys } from './data-path.js';
import { paramText, type EventType } from './event-type.js';
import { matchTrie, type TrieNode } from './lookup.js';
import { hasWildcard } from './topic-template.js';

/** @internal What checkEvent needs from a catalogue. */
export interface CheckContext {
  readonly trie: TrieNode;
  readonly getEventType: (type: string, major?: number) => EventType | undefined;
  readonly getEventTypeVersions: (type: string) => readonly EventType[];
}

/** Outcome of {@link checkEvent}. */
export type CheckResult =
  | { status: 'valid'; eventType: EventType; params: Record<string, string> }
  /** No declared topic template matches the topic. */
  | { status: 'undeclared' }
  | { status: 'invalid'; error: FirehoseError; eventType?: EventType };

const UNDECLARED: CheckResult = Object.freeze({ status: 'undeclared' });

function invalid(error: FirehoseError, eventType?: EventType): CheckResult {
  return eventType === undefined ? { status: 'invalid', error } : { status: 'invalid', error, eventType };
}

/** `redacted` is `message` without the values it quotes from the event (see FirehoseError.redactedMessage). */
function mismatch(message: string, redacted: string, path: string, eventType: EventType): CheckResult {
  return invalid(
    new FirehoseError('TOPIC_MISMATCH', message, { path, redactedMessage: redacted }),
    eventType,
  );
}

/** Picks the declared version the envelope's `dataschema` names, or explains why none fits. */
function versionOf(
  context: CheckContext,
  current: EventType,
  dataschema: unknown,
  topic: string,
): EventType | CheckResult {
  // Fast path: the current version's URN, compared without parsing.
  if (dataschema === current.dataschema) return current;
  if (typeof dataschema !== 'string') {
    return invalid(
      new FirehoseError(
        'INVALID_ENVELOPE',
        `The envelope has no dataschema; set it to ${current.dataschema}.`,
        { path: '/dataschema' },
      ),
      current,
    );
  }
  const parsed = parseDataschema(dataschema);
  if (parsed === undefined || parsed.type !== current.type) {
    return mismatch(
      `Topic ${topic} carries ${current.type} events, but dataschema is "${dataschema}"; set it to ${current.dataschema}.`,
      `Topic ${topic} carries ${current.type} events, but dataschema names another type; set it to ${current.dataschema}.`,
      '/dataschema',
      current,
    );
  }
  const version = context.getEventType(current.type, parsed.major);
  if (version !== undefined) return version;
  const known = context
    .getEventTypeVersions(current.type)
    .map((v) => v.version)
    .join(', ');
  return invalid(
    new FirehoseError(
      'UNKNOWN_EVENT_TYPE',
      `${current.type} has no schema version ${parsed.major} (declared: ${known}); publish with ${current.dataschema}.`,
      {
        path: '/dataschema',
        redactedMessage: `${current.type} has no schema version the dataschema names (declared: ${known}); publish with ${current.dataschema}.`,
      },
    ),
    current,
  );
}

/** The topic an event belongs on, for error messages; never throws. */
function suggestTopic(eventType: EventType, params: Record<string, string>): string {
  try {
    return eventType.template.build(params);
  } catch {
    return `the topic of its ${eventType.template.params.join(', ')}`;
  }
}

function check(context: CheckContext, topic: string, event: FirehoseEvent): CheckResult {
  if (typeof topic !== 'string' || hasWildcard(topic)) return UNDECLARED;
  const levels = topic.split('/');
  const entry = matchTrie(context.trie, levels);
  if (entry === undefined) return UNDECLARED;
  const current = entry.eventType;
  if (event === null || typeof event !== 'object') {
    return invalid(
      new FirehoseError(
        'INVALID_ENVELOPE',
        'The event is not an envelope object; send a CloudEvents JSON envelope.',
        { path: '' },
      ),
      current,
    );
  }
  if (event.type !== current.type) {
    return mismatch(
      `Topic ${topic} carries ${current.type} events, but the envelope type is ${JSON.stringify(event.type)}; publish on the topic of that type or fix the type.`,
      `Topic ${topic} carries ${current.type} events, but the envelope has another type; publish on the topic of that type or fix the type.`,
      '/type',
      current,
    );
  }
  const picked = versionOf(context, current, event.dataschema, topic);
  if ('status' in picked) return picked;
  const eventType = picked;
  const params = entry.template.decode(levels, topic);
  if (params === undefined) {
    return invalid(
      new FirehoseError(
        'INVALID_TOPIC',
        `Topic ${topic} has an empty or non-canonically encoded level; build it with ${eventType.type}.topic() (pattern ${eventType.template.pattern}).`,
      ),
      eventType,
    );
  }
  const data = event.data as { type?: unknown } | null | undefined;
  if (
    eventType.dataType !== undefined &&
    data !== null &&
    typeof data === 'object' &&
    data.type !== eventType.dataType
  ) {
    return mismatch(
      `Topic ${topic} carries ${eventType.type} events, but data.type is ${JSON.stringify(data.type)}; it must be "${eventType.dataType}".`,
      `Topic ${topic} carries ${eventType.type} events, but data.type is another; it must be "${eventType.dataType}".`,
      '/data/type',
      eventType,
    );
  }
  const result = eventType.validate(data);
  if (!result.ok) {
    const { error } = result;
    return invalid(
      new FirehoseError(error.code, error.message, {
        path: `/data${error.path ?? ''}`,
        cause: error,
        redactedMessage: error.redactedMessage,
      }),
      eventType,
    );
  }
  // A topic parameter repeated in the data must agree, or subscribers to one project would
  // receive another's events. Absent fields are not checked (schemas are open and lenient).
  const sources = entry.sources.get(eventType);
  if (sources !== undefined) {
    for (const [name, path, keys] of sources) {
      const expected = paramText(readKeys(data, keys));
      if (expected !== undefined && params[name] !== expected) {
        return mismatch(
          `Topic ${topic} has ${name} ${JSON.stringify(params[name])}, but data.${path} is ${JSON.stringify(expected)}; publish it on ${suggestTopic(eventType, { ...params, [name]: expected })}.`,
          `Topic ${topic} has ${name} ${JSON.stringify(params[name])}, but data.${path} differs; publish it on the topic of data.${path}.`,
          `/data/${path.replaceAll('.', '/')}`,
          eventType,
        );
      }
    }
  }
  return { status: 'valid', eventType, params };
}

/**
 * @internal Checks an envelope published on a topic against a catalogue: the topic's template, the
 * envelope `type`, `data.type` (Gerrit) and the `dataschema` major must agree, then `data` is
 * validated with that major's compiled schema. Never throws; the broker calls it per message.
 */
export function checkEventIn(context: CheckContext, topic: string, event: FirehoseEvent): CheckResult {
  try {
    return check(context, topic, event);
  } catch (cause) {
    // Defensive: a getter on a hostile object, or a bug here, must not take the broker down.
    return invalid(
      new FirehoseError(
        'INVALID_ENVELOPE',
        'The event could not be checked; send a plain JSON CloudEvents envelope.',
        { cause, path: '' },
      ),
    );
  }
}
