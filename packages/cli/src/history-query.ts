import type { HistoryQuery } from '@firehose/client';
import { matches } from '@firehose/protocol';
import type { EventSelection } from './event-selection.js';
import { BUILT_IN, type KnownServices } from './known-services.js';
import { UsageError } from './usage-error.js';

/** A selection as the history API's query, plus the topic check for what the query cannot say. */
export interface HistorySelection {
  readonly query: HistoryQuery;
  /** Whether an archived record's topic is one `tail` would have subscribed to. */
  readonly accepts: (topic: string) => boolean;
}

/**
 * Turns `tail`'s selectors into one history query. The archive answers one topic filter, a service,
 * CloudEvents types and declared keys: `--service/--event` become `service`/`type`, `--project` and
 * `--param` become keys where every selected event type declares them (the index answers), and the
 * schema's topic filters are checked on each record for the rest. Several topic filters, or a filter
 * beside `--service`, are a union the query cannot express, so they are refused. `known` is where the
 * service's event types are looked up (the built-in ones, plus a site's when learned from the broker).
 * @throws UsageError
 */
export function historySelection(
  selection: EventSelection,
  known: KnownServices = BUILT_IN,
): HistorySelection {
  const { positionals, service } = selection;
  if (positionals.length > 1)
    throw new UsageError(
      `the archive is read by one topic filter; got ${positionals.length} (${positionals.join(' ')}). Run it once per filter, or use --service/--event/--project.`,
    );
  if (positionals.length === 1 && service !== undefined)
    throw new UsageError(
      `the archive is read by a topic filter or by --service, not both; drop one (a filter beside --service would be a union).`,
    );
  const filters = selection.filters;
  const accepts = (topic: string): boolean => filters.some((filter) => matches(filter, topic));
  const topic = positionals[0];
  if (topic !== undefined) return { query: topic === '#' ? {} : { topic }, accepts };
  if (service === undefined) return { query: {}, accepts };
  const selected = known.catalogue.eventTypes.filter(
    (eventType) =>
      eventType.service === service && (selection.event === undefined || eventType.event === selection.event),
  );
  const keys: Record<string, string> = {};
  for (const [name, value] of Object.entries(selection.params))
    if (selected.every((eventType) => Object.hasOwn(eventType.keys, name))) keys[name] = value;
  const types = [...new Set(selected.map((eventType) => eventType.type))];
  return {
    query: {
      service,
      ...(selection.event === undefined ? {} : { type: types }),
      ...(Object.keys(keys).length === 0 ? {} : { keys }),
    },
    accepts,
  };
}
