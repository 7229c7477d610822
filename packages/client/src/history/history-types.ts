import type { EventType, ServiceDefinition, Subscription } from '@firehose/schema';
import type { BackoffOptions } from '../backoff.js';
import type { FilterEvent } from '../filter-event.js';
import type { Logger } from '../logger.js';
import type { InvalidEvent, ReceivedEvent } from '../types.js';
import type { HistoryPosition } from './history-position.js';

/** An archived event: what a live handler receives, plus its `cursor` (pass it as `since` to resume after it). */
export type HistoryEvent<
  Data = unknown,
  Params extends Record<string, string> = Record<string, string>,
> = ReceivedEvent<Data, Params> & {
  /** Opaque, strictly increasing in the order the broker accepted events; compare as strings. */
  readonly cursor: string;
};

/** What `history()`/`search()` yield for a filter string: the {@link FilterEvent} union, each with its cursor. */
export type FilterHistoryEvent<F extends string> = FilterEvent<F> & { readonly cursor: string };

/**
 * A search by the history API's own parameters, for what an event type or a filter cannot say:
 * a whole service, several types, declared keys (`{ keys: { change: '912345' } }`).
 */
export interface HistoryQuery {
  /** First topic level, e.g. `gerrit`. */
  readonly service?: string;
  /** CloudEvents type(s), e.g. `gerrit.comment-added`. */
  readonly type?: string | readonly string[];
  /** One MQTT topic filter, e.g. `zuul/openstack/gate/#`. */
  readonly topic?: string;
  /** Declared search keys of the event types (`project`, `change`, `user`, `build`, `host`, …). */
  readonly keys?: Readonly<Record<string, string>>;
}

/** What `history()` and `search()` accept: what `subscribe()` does, or a {@link HistoryQuery}. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HistoryTarget = Subscription<any, any> | EventType<any, any> | string | HistoryQuery;

/**
 * A filter on archived events. A string is the `where` grammar, evaluated **by the broker** (only the
 * events that match cross the network); a function runs here on each event the broker sent.
 */
export type HistoryWhere<Data = unknown, Params extends Record<string, string> = Record<string, string>> =
  string | ((event: HistoryEvent<Data, Params>) => boolean);

export interface HistoryOptions<
  Data = unknown,
  Params extends Record<string, string> = Record<string, string>,
> {
  /**
   * Start after this cursor, or at this time (`Date`, ISO 8601, or a duration back from now: `2h`,
   * `30m`, `7d`). Passing a saved `cursor` resumes with nothing lost and nothing twice.
   * @default the oldest archived event; with `live: true`, now (live only)
   */
  since?: HistoryPosition;
  /**
   * Stop at this time or cursor (inclusive). Not with `live: true`.
   * @default the newest archived event
   */
  until?: HistoryPosition;
  /**
   * After the archive, continue with live events through the broker's event stream (`/v1/stream`):
   * the broker hands over from archive to live itself, so nothing is missed, repeated or reordered.
   * A dropped stream reconnects by `Last-Event-ID` with backoff; the loop only sees a pause.
   * @default false (the loop ends after the newest archived event)
   */
  live?: boolean;
  /** Only events for which this holds; a string is evaluated server-side. @default every event */
  where?: HistoryWhere<Data, Params>;
  /**
   * Events per request when paging the archive (1–1000).
   * @default 500
   */
  pageSize?: number;
  /** Aborting ends the loop (and closes the stream). @default undefined */
  signal?: AbortSignal;
}

export interface SearchOptions<
  Data = unknown,
  Params extends Record<string, string> = Record<string, string>,
> {
  /** Oldest time (`Date`, ISO 8601, or `2h`/`30m`/`7d` back from now). @default no bound */
  since?: Date | string;
  /** Newest time, same forms. @default no bound */
  until?: Date | string;
  /** Evaluated server-side for a string, here for a function. @default every event */
  where?: HistoryWhere<Data, Params>;
  /** `desc` = newest first. @default 'desc' */
  order?: 'asc' | 'desc';
  /** Events in the page (1–1000). @default 100 */
  limit?: number;
  /** A previous page's `next`: the page after it. @default the first page */
  cursor?: string;
  /** @default undefined */
  signal?: AbortSignal;
}

/** One page of a search. */
export interface SearchPage<E> {
  readonly events: E[];
  /**
   * Pass as `cursor` for the next page; `null` when the search is complete. A page can be short (even
   * empty) with a non-null `next`: the broker stops a scan at its time budget rather than time out.
   */
  readonly next: string | null;
}

/** Connection state of a live history stream; the same names as the client's `state`. */
export type HistoryState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Events of a {@link HistoryStream}. */
export type HistoryStreamEvents = {
  /** `connected` once the broker answered, `reconnecting` after a drop, `closed` at the end. */
  state: (state: HistoryState, previous: HistoryState) => void;
  /** A reconnect attempt is scheduled (attempt from 1, delay in ms, the stream URL without credentials). */
  retry: (retry: { readonly attempt: number; readonly delay: number; readonly url: string }) => void;
  /** `since` was older than the archive holds: the stream continues from `oldest`; events before it are gone. */
  reset: (reset: { readonly oldest: string }) => void;
  /** An archived event that no longer passes its schema (or is not an envelope); it is not yielded. */
  invalid: (invalid: InvalidEvent & { readonly cursor: string }) => void;
};

/** Options of a standalone {@link createHistoryClient}; `connect()` fills them from its own. */
export interface HistoryClientOptions {
  /** @default anonymous (the anonymous MQTT read ACL applies) */
  username?: string;
  /** @default undefined */
  password?: string;
  /** Validate `data` against its schema; events that fail go to `invalid`. @default true */
  validate?: boolean;
  /** A site's own services, beside the built-in ones (as `connect()`'s `services`). @default [] */
  services?: readonly ServiceDefinition[];
  /** Reconnect delays of a live stream. @default { initialDelay: 250, maxDelay: 30000, factor: 2 } */
  backoff?: BackoffOptions;
  /** @default a logger that discards everything */
  logger?: Logger;
  /** A fetch implementation (tests, proxies). @default globalThis.fetch */
  fetch?: typeof fetch;
}
