import { createEvent, type FirehoseEvent } from '@firehose/protocol';
import type { EventType } from '@firehose/schema';

/**
 * Wraps a service's own JSON (a webhook body, a raw MQTT payload) in the CloudEvents envelope its
 * event type declares: `type`, `dataschema`, `subject` from the data, and the id derived from the
 * declared identity (the same as `createServiceEvent`'s, so a redelivered webhook keeps its id);
 * a random id when the data lacks an identity field. Nothing is validated here: the publish path
 * checks the envelope like any other.
 */
export function wrapData(
  eventType: EventType,
  source: string,
  data: unknown,
  time = new Date(),
): FirehoseEvent {
  // The declared accessors read data paths and never throw, whatever the data's shape.
  const identity = eventType.identity(data);
  const subject = eventType.subject(data);
  return createEvent({
    source,
    type: eventType.type,
    dataschema: eventType.dataschema,
    data,
    time,
    ...(subject === undefined ? {} : { subject }),
    ...(identity === undefined ? {} : { identity: [eventType.type, ...identity] }),
  });
}
