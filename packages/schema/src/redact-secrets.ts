import type { EventType } from './event-type.js';
import { eventTypes as defaultEventTypes } from './default-catalogue.js';

/** What a redacted object becomes (next to the marker that made it secret). */
export const REDACTED_TEXT = 'redacted: this object is marked never to be sent';

let defaultMarkers: readonly string[] | undefined;

/** Nesting deeper than this is replaced whole: a secret must not hide below the walk. */
const MAX_DEPTH = 200;

/** The secret markers the event types declare (`_ansible_no_log` in the default catalogue), deduplicated. */
export function secretMarkers(eventTypes: Iterable<EventType> = defaultEventTypes): readonly string[] {
  const markers = new Set<string>();
  for (const eventType of eventTypes) for (const marker of eventType.secretMarkers) markers.add(marker);
  return [...markers];
}

function isMarked(object: Record<string, unknown>, markers: readonly string[]): string | undefined {
  return markers.find((marker) => Object.hasOwn(object, marker) && object[marker] !== false);
}

function walk(value: unknown, markers: readonly string[], depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return REDACTED_TEXT;
  if (Array.isArray(value)) {
    const items = value as unknown[];
    let copy: unknown[] | undefined;
    items.forEach((item, index) => {
      const redacted = walk(item, markers, depth + 1);
      if (redacted !== item) (copy ??= [...items])[index] = redacted;
    });
    return copy ?? items;
  }
  const object = value as Record<string, unknown>;
  const marker = isMarked(object, markers);
  if (marker !== undefined) return { [marker]: object[marker], censored: REDACTED_TEXT };
  let copy: Record<string, unknown> | undefined;
  for (const [key, child] of Object.entries(object)) {
    const redacted = walk(child, markers, depth + 1);
    if (redacted !== child) (copy ??= { ...object })[key] = redacted;
  }
  return copy ?? object;
}

/**
 * Replaces every object marked never to be sent (an event type's `secretMarkers`, e.g.
 * `{ "_ansible_no_log": true, … }`), at any depth of any JSON value, with
 * `{ <marker>: <value>, censored: "redacted: …" }`. Markers count wherever they appear, whatever
 * the topic: a secret published on the wrong topic is still a secret. Returns `value` itself when
 * nothing is marked, a redacted copy otherwise (the input is never modified).
 */
export function redactSecrets(
  value: unknown,
  markers: readonly string[] = (defaultMarkers ??= secretMarkers()),
): unknown {
  return markers.length === 0 ? value : walk(value, markers, 0);
}
