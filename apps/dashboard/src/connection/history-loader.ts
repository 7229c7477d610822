import {
  createHistoryClient,
  type HistoryClient,
  type HistoryEvent,
  type HistoryQuery,
} from '@firehose/client';
import type { Catalogue } from '@firehose/schema';
import type { FilterState } from '../model/filters.js';
import type { SearchConfig } from '../model/page-config.js';
import type { StreamItem } from '../model/stream-item.js';
import { toStreamItem } from './to-stream-item.js';

/** One page of archived events for the store: oldest first, and whether older ones remain. */
export interface ArchivedPage {
  readonly items: StreamItem[];
  /** Older events remain in the archive (scrolling further loads them). */
  readonly more: boolean;
}

/** Events per request: a screenful many times over, small enough to arrive at once. */
const PAGE_SIZE = 200;

/**
 * Reads the broker's archive (`/v1/events`) for the page: the newest events when it opens, the next
 * older page as the user scrolls past the oldest one, search results, one event for a permalink.
 * Archived items get seqs below every held one, counting down, so the store keeps one order.
 */
export class HistoryLoader {
  readonly #client: HistoryClient;
  readonly #query: HistoryQuery;
  readonly #search: SearchConfig | undefined;
  readonly #catalogue: () => Catalogue;
  #nextSeq = 0;

  /** @param options.catalogue the services to render with, at the time a page arrives (site services learned since included) */
  constructor(
    url: string,
    options: { filter: FilterState; search: SearchConfig | undefined; catalogue: () => Catalogue },
  ) {
    this.#catalogue = options.catalogue;
    // validate: false, as for live events: show what the broker archived.
    this.#client = createHistoryClient(url, { validate: false });
    this.#search = options.search;
    this.#query = options.search === undefined ? {} : archiveQuery(options.filter);
  }

  get url(): string {
    return this.#client.url;
  }

  /** The page before `oldest` (newest first from the archive), or the newest page without one. */
  async page(oldest: StreamItem | undefined, signal?: AbortSignal): Promise<ArchivedPage> {
    const search = this.#search;
    const before =
      oldest === undefined || oldest.cursor !== undefined ? undefined : new Date(oldest.eventTime);
    const page = await this.#client.search(this.#query, {
      order: 'desc',
      limit: PAGE_SIZE,
      ...(signal === undefined ? {} : { signal }),
      ...(oldest?.cursor === undefined ? {} : { cursor: oldest.cursor }),
      // A live event has no cursor: the page ends at its time (the store drops what it already holds).
      ...(before === undefined ? {} : { until: before }),
      ...(search === undefined || search.from === '' ? {} : { since: search.from }),
      ...(search === undefined || search.to === '' || before !== undefined ? {} : { until: search.to }),
      ...(search === undefined || search.where === '' ? {} : { where: search.where }),
    });
    const items = page.events.map((event) => this.#item(event)).reverse();
    return { items, more: page.next !== null };
  }

  /** One archived event by cursor or CloudEvents id (a permalink). */
  async event(cursorOrId: string): Promise<StreamItem> {
    return this.#item(await this.#client.event(cursorOrId));
  }

  #item(event: HistoryEvent): StreamItem {
    this.#nextSeq -= 1;
    return { ...toStreamItem(event, this.#nextSeq, this.#catalogue()), cursor: event.cursor };
  }
}

/**
 * What of the filter bar the archive can answer exactly: one service, the topic filter, the change
 * (a declared key). The substring filters (project, user, type, free text) are applied to each page
 * by the store, as they are to live events.
 */
function archiveQuery(filter: FilterState): HistoryQuery {
  const change = filter.change.trim().replace(/^#/, '');
  const topic = filter.topic.trim();
  return {
    ...(filter.services.length === 1 ? { service: filter.services[0] } : {}),
    ...(topic === '' || topic === '#' ? {} : { topic }),
    ...(change === '' ? {} : { keys: { change } }),
  };
}
