import type { HistoryEvent } from '@firehose/client';
import type { TailRecord } from './output/tail-record.js';

/** An archived event as the formatters print it: what a live one gives, plus its cursor. */
export function fromHistory(event: HistoryEvent): TailRecord {
  return {
    topic: event.topic,
    receivedAt: event.receivedAt,
    event: event.event,
    params: event.params,
    payload: event.payload,
    cursor: event.cursor,
    ...(event.eventType === undefined ? { problem: 'undeclared topic' } : {}),
  };
}
