import type { EventType, InferData } from '@firehose/schema';
import type { ReceivedEvent } from './types.js';

/**
 * Narrows an event from a raw-filter subscription (`'gerrit/#'`) to one event type, typing `data`.
 *
 * ```ts
 * if (isEventOf(received, gerrit.commentAdded)) console.log(received.event.data.comment);
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function isEventOf<E extends EventType<any, any>>(
  received: ReceivedEvent,
  eventType: E,
): received is ReceivedEvent<InferData<E>> {
  return (
    received.eventType !== undefined &&
    received.eventType.type === eventType.type &&
    received.eventType.version === eventType.version
  );
}
