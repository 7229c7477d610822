import type { StreamItem } from './stream-item.js';

/** One `{ topic, event }` object per line: the filtered buffer as NDJSON, oldest first. */
export function toNdjson(items: Iterable<StreamItem>): string {
  let out = '';
  for (const item of items) out += `${JSON.stringify({ topic: item.topic, event: item.event })}\n`;
  return out;
}
