import { validateFilter } from '@firehose/protocol';
import type { EventType } from './event-type.js';
import type { CompiledTopicTemplate, TemplateSegment } from './topic-template.js';

/**
 * True when some topic of the pattern can match the filter's levels from `f` on, starting at
 * segment `s`. `inRest` says the variable-depth segment `s` has already taken at least one level.
 */
function overlaps(
  filter: readonly string[],
  f: number,
  segments: readonly TemplateSegment[],
  s: number,
  inRest: boolean,
): boolean {
  const level = filter[f];
  if (level === '#') return true; // matches whatever remains, including nothing [MQTT-4.7.1-2]
  if (inRest) {
    // Either the variable-depth value ends here, or it takes this level too.
    if (overlaps(filter, f, segments, s + 1, false)) return true;
    return level !== undefined && level !== '' && overlaps(filter, f + 1, segments, s, true);
  }
  const segment = segments[s];
  if (level === undefined) return segment === undefined;
  if (segment === undefined) return false;
  switch (segment.kind) {
    case 'fixed':
      return (level === '+' || level === segment.value) && overlaps(filter, f + 1, segments, s + 1, false);
    case 'param':
      // A parameter is never empty.
      return level !== '' && overlaps(filter, f + 1, segments, s + 1, false);
    case 'rest':
      return level !== '' && overlaps(filter, f + 1, segments, s, true);
  }
}

/**
 * @internal The declared event types (current versions) whose topics the MQTT filter can match. An empty
 * result means the filter can never receive a declared event: worth a warning (docs/architecture.md#topics).
 * Throws a FirehoseError `INVALID_FILTER` for a malformed filter.
 */
export function eventTypesForFilterIn(
  eventTypes: readonly EventType[],
  getEventType: (type: string) => EventType | undefined,
  filter: string,
): EventType[] {
  validateFilter(filter);
  const levels = filter.split('/');
  // Filters starting with a wildcard never match `$` topics; no declared topic starts with `$`.
  const seen = new Set<string>();
  const result: EventType[] = [];
  for (const eventType of eventTypes) {
    if (seen.has(eventType.type)) continue;
    const template = eventType.template as CompiledTopicTemplate<Record<string, string>>;
    if (overlaps(levels, 0, template.segments, 0, false)) {
      seen.add(eventType.type);
      result.push(getEventType(eventType.type) ?? eventType);
    }
  }
  return result;
}
