import { compilePredicate, FirehoseError, validateFilter } from '@firehose/protocol';
import type { EventType, Subscription } from '@firehose/schema';
import type { ReceivedEvent, Where } from './types.js';

/** What `subscribe()` and `events()` accept: a typed subscription, an event type (every topic of it) or an MQTT filter. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SubscribeTarget = Subscription<any, any> | EventType<any, any> | string;

/** The MQTT filters a target needs, and the event type its handler accepts (typed targets only). */
export function resolveTarget(target: SubscribeTarget): { filters: string[]; type: string | undefined } {
  if (typeof target === 'string') {
    validateFilter(target);
    return { filters: [target], type: undefined };
  }
  if (typeof target === 'function') {
    const subscription = target();
    return { filters: subscription.filters, type: target.type };
  }
  if (target !== null && typeof target === 'object' && Array.isArray(target.filters)) {
    for (const filter of target.filters) validateFilter(filter);
    return { filters: [...target.filters], type: target.eventType.type };
  }
  throw new FirehoseError(
    'INVALID_FILTER',
    'subscribe() takes an MQTT filter string, an event type (gerrit.commentAdded) or a subscription (gerrit.commentAdded({ project })).',
  );
}

/** A `where` option as a function of the received event. */
export function compileWhere(where: Where | undefined): ((received: ReceivedEvent) => boolean) | undefined {
  if (where === undefined) return undefined;
  if (typeof where === 'function') return where;
  const predicate = compilePredicate(where);
  // String predicates see the envelope plus `topic` and `params` (see the README's grammar).
  return (received) => predicate({ ...received.event, topic: received.topic, params: received.params });
}
