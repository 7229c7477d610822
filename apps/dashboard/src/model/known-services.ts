import { catalogue as builtInCatalogue, type Catalogue } from '@firehose/schema';
import type { CatalogueRow } from './catalogue.js';

/**
 * The services the page knows: the built-in ones it was built with, plus a site's own, learned at
 * run time from the broker's retained `$firehose/services` record (`@firehose/client`'s
 * `learnServices()`), so their rows are rendered by the declared render rules and the filters and
 * catalogue list them, with no rebuild. A catalogue reload on the broker republishes the record and
 * `learn` is called again.
 */
export class KnownServices {
  #catalogue: Catalogue = builtInCatalogue;
  #site: readonly string[] = [];
  #settle: () => void = () => undefined;
  /**
   * Resolves once the broker answered (its record, or none within the wait) or could not be
   * reached: the archive's first page waits for it, so archived site events render as declared too.
   */
  readonly settled = new Promise<void>((resolve) => (this.#settle = resolve));

  /** Built-in services plus, once learned, the broker's site services: render with it. */
  get catalogue(): Catalogue {
    return this.#catalogue;
  }

  /** The names of the site's own services the broker declared (never the built-in ones). */
  get site(): readonly string[] {
    return this.#site;
  }

  /** The broker's record was read: `catalogue` is the client's, `site` the services it declared. */
  learn(catalogue: Catalogue, site: readonly string[]): void {
    this.#catalogue = catalogue;
    this.#site = [...site].sort();
    this.#settle();
  }

  /** No record to wait for (none published, an unusable one, or no connection): built-in services only. */
  settle(): void {
    this.#settle();
  }

  /**
   * Event types to suggest in the Event type filter: the declared ones of `services` (all known
   * services when none is selected), built-in and site alike.
   */
  eventTypes(services: readonly string[]): string[] {
    const wanted = new Set(services);
    return this.#catalogue.eventTypes
      .filter((eventType) => wanted.size === 0 || wanted.has(eventType.service))
      .map((eventType) => eventType.type)
      .filter((type, index, all) => all.indexOf(type) === index)
      .sort();
  }

  /**
   * The catalogue table's rows plus a declared, not yet counted row for every event type of a site
   * service the broker's records do not mention yet (records come every `catalogue.interval`), so
   * the catalogue view lists a site's services from the moment they are learned.
   */
  withSiteTypes(rows: Iterable<CatalogueRow>): CatalogueRow[] {
    const all = [...rows];
    const named = new Set(all.map((row) => row.name));
    const site = new Set(this.#site);
    for (const eventType of this.#catalogue.eventTypes) {
      if (!site.has(eventType.service) || named.has(eventType.type)) continue;
      named.add(eventType.type);
      all.push({
        id: `learned/${eventType.type}`,
        name: eventType.type,
        status: 'declared',
        count: 0,
        rate: 0,
        invalid: 0,
        lastSeen: undefined,
        publishers: [],
      });
    }
    return all;
  }
}
