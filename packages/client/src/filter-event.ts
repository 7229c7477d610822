import type {
  ansible,
  EventType,
  gearmanLogstash,
  gearmanSubunit,
  gerrit,
  launchpad,
  zuul,
} from '@firehose/schema';
import type { ReceivedEvent } from './types.js';

/**
 * The declared services by their first topic level: what types a filter string's events
 * (`subscribe('gerrit/#', …)`, `history('zuul/#')`). A site adds its own services by augmenting
 * it, which the declarations `firehose schema codegen` writes do:
 *
 * ```ts
 * declare module '@firehose/client' {
 *   interface FirehoseServices { github: typeof github }
 * }
 * ```
 */
export interface FirehoseServices {
  gerrit: typeof gerrit;
  zuul: typeof zuul;
  launchpad: typeof launchpad;
  'gearman-subunit': typeof gearmanSubunit;
  'gearman-logstash': typeof gearmanLogstash;
  ansible: typeof ansible;
}
type ServiceName = Extract<keyof FirehoseServices, string>;

/** Services a filter string can reach, from its first level: `gerrit/#` → gerrit, `+/…` or `#` → all. */
type ServicesOf<F extends string> = (F extends `${infer First}/${string}` ? First : F) extends infer First
  ? First extends '+' | '#'
    ? ServiceName
    : First extends ServiceName
      ? First
      : never
  : never;

/** Every event type of the given services (distributes, so a union of services unions their types). */
type EventTypesOf<S extends ServiceName> = S extends ServiceName
  ? FirehoseServices[S][keyof FirehoseServices[S]]
  : never;

/** One declared event type as a handler sees it: `eventType` is that type, so `if (e.eventType)` narrows. */
type DeclaredEvent<E> =
  E extends EventType<infer Data, infer Params>
    ? ReceivedEvent<Data, Params> & { readonly eventType: E }
    : never;

/** A topic no schema declares (e.g. a Gerrit upgrade's new event type): `data` is unknown. */
export type UndeclaredEvent = ReceivedEvent & { readonly eventType: undefined };

/**
 * What a handler receives for a filter string: the union of every declared event type of the
 * services the filter can reach, plus undeclared topics. Test `event.eventType` (or use `isEventOf`)
 * to narrow. The union is per service, so a narrower filter (`gerrit/+/+/comment-added`) still
 * yields every gerrit type: a superset, never a wrong type. A plain `string` yields `ReceivedEvent`.
 */
export type FilterEvent<F extends string> = string extends F
  ? ReceivedEvent
  : [ServicesOf<F>] extends [never]
    ? ReceivedEvent
    : DeclaredEvent<EventTypesOf<ServicesOf<F>>> | UndeclaredEvent;

/** What `events()` returns for a filter string: the stream of {@link FilterEvent}s. */
export interface FilterEventStream<F extends string> extends AsyncIterableIterator<FilterEvent<F>> {
  /** Events discarded by the overflow policy so far. */
  readonly dropped: number;
  /** Settles once the broker granted the subscription (as `EventStream.ready`). */
  readonly ready: Promise<void>;
}
