import { FirehoseError, matches, validateFilter } from '@firehose/protocol';
import { RESERVED_KEY_NAMES, type EventType } from '@firehose/schema';
import type { HistoryQuery, HistoryTarget } from './history-types.js';

/** A target as the API's query parameters, plus what is checked here on each record. */
export interface ResolvedTarget {
  readonly params: URLSearchParams;
  /** Typed targets: only events of this CloudEvents type. */
  readonly type: string | undefined;
  /** Subscriptions: the topic must match one of these (they can need several filters, the API takes one). */
  readonly filters: readonly string[] | undefined;
}

const QUERY_FIELDS = new Set(['service', 'type', 'topic', 'keys']);

function invalid(message: string, path: string): FirehoseError {
  return new FirehoseError('INVALID_CONFIG', message, { path });
}

/**
 * Translates what `subscribe()` accepts into `/v1/events` parameters: an MQTT filter becomes `topic`,
 * an event type `type`, a subscription `type` plus its parameters (as declared keys where the event
 * type declares them, else as its topic filter), a {@link HistoryQuery} its fields.
 * @throws FirehoseError `INVALID_FILTER`, `INVALID_CONFIG`
 */
export function resolveHistoryTarget(target: HistoryTarget): ResolvedTarget {
  const params = new URLSearchParams();
  if (typeof target === 'string') {
    validateFilter(target);
    if (target !== '#') params.set('topic', target);
    return { params, type: undefined, filters: undefined };
  }
  if (typeof target === 'function') {
    params.set('type', target.type);
    return { params, type: target.type, filters: undefined };
  }
  if (
    target !== null &&
    typeof target === 'object' &&
    'eventType' in target &&
    Array.isArray(target.filters)
  ) {
    const eventType = target.eventType as EventType;
    params.set('type', eventType.type);
    const keys = eventType.keys;
    const given = Object.entries(target.params as Record<string, string | undefined>).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    );
    const asKeys = given.every(([name]) => Object.hasOwn(keys, name));
    if (given.length > 0 && asKeys) for (const [name, value] of given) params.set(name, value);
    else if (target.filters.length === 1 && target.filters[0] !== undefined)
      params.set('topic', target.filters[0]);
    return { params, type: eventType.type, filters: [...target.filters] };
  }
  if (target !== null && typeof target === 'object')
    return { params: queryParams(target as HistoryQuery), type: undefined, filters: undefined };
  throw new FirehoseError(
    'INVALID_FILTER',
    'history() takes an MQTT filter string, an event type (gerrit.commentAdded), a subscription (gerrit.commentAdded({ project })) or a query ({ service, type, topic, keys }).',
  );
}

function queryParams(query: HistoryQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const field of Object.keys(query))
    if (!QUERY_FIELDS.has(field))
      throw invalid(
        `A history query has service, type, topic and keys; ${JSON.stringify(field)} is none of them (declared keys go under keys).`,
        field,
      );
  if (query.service !== undefined) {
    if (typeof query.service !== 'string' || query.service === '' || query.service.includes('/'))
      throw invalid(
        `service must be a service name like gerrit; got ${JSON.stringify(query.service)}.`,
        'service',
      );
    params.set('service', query.service);
  }
  if (query.type !== undefined) {
    const types = typeof query.type === 'string' ? [query.type] : [...query.type];
    if (types.length === 0 || types.some((type) => typeof type !== 'string' || type === ''))
      throw invalid(
        `type must be a CloudEvents type like gerrit.comment-added, or a list of them; got ${JSON.stringify(query.type)}.`,
        'type',
      );
    for (const type of types) params.append('type', type);
  }
  if (query.topic !== undefined) {
    validateFilter(query.topic);
    if (query.topic !== '#') params.set('topic', query.topic);
  }
  for (const [name, value] of Object.entries(query.keys ?? {})) {
    if (!/^[a-z][a-z0-9_]*$/.test(name) || RESERVED_KEY_NAMES.includes(name))
      throw invalid(
        `keys.${name}: a key name is lower-case letters, digits and _ (like change or project), and not one of ${RESERVED_KEY_NAMES.join(', ')}.`,
        `keys.${name}`,
      );
    if (typeof value !== 'string')
      throw invalid(`keys.${name} must be a string; got ${JSON.stringify(value)}.`, `keys.${name}`);
    params.set(name, value);
  }
  return params;
}

/** Whether a record passes what the API could not check for this target. */
export function targetAccepts(target: ResolvedTarget, topic: string, type: string | undefined): boolean {
  if (target.type !== undefined && type !== target.type) return false;
  return target.filters === undefined || target.filters.some((filter) => matches(filter, topic));
}
