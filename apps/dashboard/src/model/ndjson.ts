import type { StreamItem } from './stream-item.js';

/**
 * One `{ topic, received_at, event }` object per line, the same shape as `firehose tail -o ndjson`
 * (and `firehose pub -` reads it back): the filtered buffer as NDJSON, oldest first.
 */
export function toNdjson(items: Iterable<StreamItem>): string {
  let out = '';
  for (const item of items)
    out += `${JSON.stringify({ topic: item.topic, received_at: new Date(item.receivedAt).toISOString(), event: item.event })}\n`;
  return out;
}
