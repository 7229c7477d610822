import { compilePredicate, FirehoseError, matches } from '@firehose/protocol';
import type { Catalogue } from '@firehose/schema';
import { BadParameter, type EventFilters } from './query.js';

/** An archived or live event as the filters see it. */
interface FilterInput {
  topic: string;
  /** The envelope, parsed. */
  event: Record<string, unknown>;
}

/** Whether a record passes the filters the index did not already apply (`where` for searches). */
export type RecordTest = (input: FilterInput) => boolean;

/**
 * The `where` predicate, evaluated server-side with the SDK's grammar (`@firehose/protocol`), over
 * the envelope plus `topic` and `params`, as the client's `where` sees it.
 */
export function compileWhere(
  where: string | undefined,
  { eventTypeForTopic }: Pick<Catalogue, 'eventTypeForTopic'>,
): RecordTest | undefined {
  if (where === undefined) return undefined;
  let predicate;
  try {
    predicate = compilePredicate(where);
  } catch (error) {
    const reason = error instanceof FirehoseError ? error.message : String(error);
    throw new BadParameter('where', `where must be a predicate in the SDK's grammar: ${reason}`);
  }
  return ({ topic, event }) => {
    const params = eventTypeForTopic(topic)?.template.parse(topic) ?? {};
    return predicate({ ...event, topic, params });
  };
}

/** Every filter, for live events (the archive applies all but `where` itself). */
export function compileFilters(
  filters: EventFilters,
  { eventTypeForTopic }: Pick<Catalogue, 'eventTypeForTopic'>,
): RecordTest {
  const where = compileWhere(filters.where, { eventTypeForTopic });
  const types = filters.types === undefined ? undefined : new Set(filters.types);
  return (input) => {
    const { topic, event } = input;
    if (filters.service !== undefined && topic.split('/', 1)[0] !== filters.service) return false;
    if (filters.topic !== undefined && !matches(filters.topic, topic)) return false;
    if (types !== undefined && (typeof event.type !== 'string' || !types.has(event.type))) return false;
    if (filters.keys.length > 0) {
      const keys = eventTypeForTopic(topic)?.keys;
      if (keys === undefined) return false;
      for (const [name, value] of filters.keys) {
        const path = keys[name];
        if (path === undefined || String(readPath(event.data, path)) !== value) return false;
      }
    }
    return where === undefined || where(input);
  };
}

function readPath(root: unknown, path: string): unknown {
  let current = root;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
