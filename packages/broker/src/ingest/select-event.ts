import type { IncomingHttpHeaders } from 'node:http';
import type { IngestEventFrom } from '@firehose/schema';

/** Reads an RFC 6901 JSON pointer (`/object_kind`, `/a~1b/0`); undefined when a step is missing. */
function readPointer(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let current = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Where the selector is, as a request's sender would read it: `header X-GitHub-Event`, `body /object_kind`. */
export function selectorName(eventFrom: IngestEventFrom): string {
  return 'header' in eventFrom ? `header ${eventFrom.header}` : `body field ${eventFrom.pointer}`;
}

/**
 * The value selecting a request's event type, by the declared rule (a header or a JSON pointer
 * into the parsed body); undefined when the request does not carry one.
 */
export function selectorValue(
  eventFrom: IngestEventFrom,
  headers: IncomingHttpHeaders,
  body: unknown,
): string | undefined {
  if ('header' in eventFrom) {
    const value = headers[eventFrom.header.toLowerCase()];
    const text = Array.isArray(value) ? value[0] : value;
    return text === undefined || text === '' ? undefined : text;
  }
  const value = readPointer(body, eventFrom.pointer);
  if (typeof value === 'string') return value === '' ? undefined : value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}
