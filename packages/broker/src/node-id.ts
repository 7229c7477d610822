import { randomUUID } from 'node:crypto';

/**
 * An id for this broker process (aedes' `id`) that starts with its start time, so ids sort in
 * start order. The level store keys each queued message by broker id then counter: with aedes'
 * random UUIDs, a session that queued messages across a restart got them in a random order of
 * the two lives, not in the order they were published.
 */
export function newNodeId(now = Date.now()): string {
  return `${now.toString(36).padStart(9, '0')}-${randomUUID()}`;
}
