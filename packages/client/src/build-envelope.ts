import { createEvent, FirehoseError, validateTopic, type FirehoseEvent } from '@firehose/protocol';
import type { Catalogue, EventType } from '@firehose/schema';
import type { PublishOptions } from './types.js';

/**
 * The envelope `publish()` sends for `data` on `topic`: the schema's event type found by topic,
 * `data` validated first (so `subject()`/`identity()` never see malformed data), then type,
 * dataschema, subject and a deterministic id, then the broker's own agreement check.
 * @throws FirehoseError `INVALID_TOPIC`, `UNKNOWN_EVENT_TYPE`, `INVALID_PAYLOAD` (with `path`), `INVALID_CONFIG`
 */
export function buildEnvelope<Data>(
  topic: string,
  data: Data,
  options: PublishOptions,
  defaultSource: string | undefined,
  { checkEvent, eventTypeForTopic, getService, lookup }: Catalogue,
): FirehoseEvent<Data> {
  validateTopic(topic);
  const found = lookup(topic);
  if (!found) {
    const shape = eventTypeForTopic(topic);
    if (shape) {
      throw new FirehoseError(
        'INVALID_TOPIC',
        `Topic ${topic} has an empty or non-canonically encoded level; build it with the ${shape.type} type's topic() (pattern ${shape.template.pattern}).`,
        { path: topic },
      );
    }
    throw new FirehoseError(
      'UNKNOWN_EVENT_TYPE',
      `No schema declares the topic ${topic}; check it against the catalogue (firehose topics), or send pre-built payloads with publishRaw().`,
      { path: topic },
    );
  }
  const eventType = found.eventType as EventType<Data>;
  const validation = eventType.validate(data);
  if (!validation.ok) throw validation.error;
  const source = options.source ?? defaultSource ?? getService(eventType.service)?.source;
  if (source === undefined) {
    throw new FirehoseError(
      'INVALID_CONFIG',
      `No envelope source is known for ${eventType.service}; pass the source option (an absolute URI of the upstream).`,
      { path: 'source' },
    );
  }
  const event = createEvent<Data>({
    source,
    type: eventType.type,
    dataschema: eventType.dataschema,
    data,
    subject: eventType.subject(data),
    time: options.time,
    identity: options.identity ?? eventType.identity(data),
    id: options.id,
  });
  // The same check the broker runs: topic, type, data.type and dataschema must agree.
  const check = checkEvent(topic, event);
  if (check.status === 'invalid') throw check.error;
  return event;
}
