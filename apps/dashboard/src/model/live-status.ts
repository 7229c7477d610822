import type { ConnectionState } from '../connection/broker-connection.js';
import { BrokerHealth } from './broker-health.js';
import { parseCatalogueRecord, type CatalogueRow } from './catalogue.js';
import { KnownServices } from './known-services.js';
import { RateTracker } from './rate-tracker.js';

/**
 * Everything besides the stream that the page tracks: connection state, broker statistics,
 * catalogue records, the services it knows, arrival rates. Read by the UI on its ~1 Hz tick; only connection state
 * changes are pushed, so the header reacts at once.
 */
export class LiveStatus {
  readonly health = new BrokerHealth();
  readonly rates = new RateTracker();
  readonly catalogue = new Map<string, CatalogueRow>();
  /** Built-in services plus the site's own, learned from the broker's `$firehose/services` record. */
  readonly services = new KnownServices();
  state: ConnectionState = 'connecting';
  detail: string | undefined;
  /** Messages on service topics that were not valid envelopes. */
  invalid = 0;
  readonly #listeners = new Set<() => void>();

  setState(state: ConnectionState, detail?: string): void {
    this.state = state;
    this.detail = detail;
    for (const listener of this.#listeners) listener();
  }

  onStateChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A broker-owned record: `$SYS/firehose/...` or `$firehose/catalogue/...`. */
  record(topic: string, payload: string, at: number): void {
    if (this.health.record(topic, payload, at)) return;
    const row = parseCatalogueRecord(topic, payload);
    const id = topic.slice('$firehose/catalogue/'.length);
    if (row) this.catalogue.set(row.id, row);
    else if (payload.trim() === '') this.catalogue.delete(id);
  }
}
