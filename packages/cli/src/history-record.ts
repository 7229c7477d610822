import type { HistoryEvent } from '@firehose/client';
import type { Catalogue } from '@firehose/schema';
import type { TailRecord } from './output/tail-record.js';

/**
 * An archived event as the formatters print it: what a live one gives, plus its cursor. `catalogue`
 * holds its type's render rules (a site's own, learned from the broker). @default the built-in services
 */
export function fromHistory(event: HistoryEvent, catalogue?: Catalogue): TailRecord {
  return {
    ...(catalogue === undefined ? {} : { catalogue }),
    topic: event.topic,
    receivedAt: event.receivedAt,
    event: event.event,
    params: event.params,
    payload: event.payload,
    cursor: event.cursor,
    ...(event.eventType === undefined ? { problem: 'undeclared topic' } : {}),
  };
}
