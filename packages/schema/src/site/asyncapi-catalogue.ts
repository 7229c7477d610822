import { CATALOGUE_FORMAT_KEY, CATALOGUE_FORMAT_VERSION } from './catalogue-document.js';
import { fieldName, type DocumentPath } from './catalogue-problem.js';
import { pointerRef, rebaseRefs } from './rebase-refs.js';

/** Top-level extension of an AsyncAPI document: service name → description, source, ingest. */
export const ASYNCAPI_SERVICES_KEY = 'x-firehose-services';
/** Channel extension: the event type the channel carries (service, event, topic, identity, keys, ...). */
export const ASYNCAPI_EVENT_KEY = 'x-firehose-event';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** True for a parsed document that says it is AsyncAPI (`asyncapi: 3.0.0`). */
export function isAsyncApiDocument(document: unknown): document is Json {
  return isObject(document) && 'asyncapi' in document;
}

/** A Reference Object: `$ref` and at most a summary or description beside it. */
const isReference = (value: unknown): value is Json & { $ref: string } =>
  isObject(value) &&
  typeof value.$ref === 'string' &&
  Object.keys(value).every((key) => key === '$ref' || key === 'summary' || key === 'description');

/**
 * Follows a local Reference Object (`#/components/...`) inside `root`, with the path it leads to.
 * A schema with `$ref` beside other keywords (a bundled one: `$ref` and `$defs`) is a schema, not a
 * reference to follow.
 */
function follow(root: Json, value: unknown, path: DocumentPath): { value: unknown; path: DocumentPath } {
  for (let hops = 0; hops < 8 && isReference(value); hops++) {
    const ref = value.$ref;
    if (!ref.startsWith('#/')) break;
    const parts = ref
      .slice(2)
      .split('/')
      .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
    let next: unknown = root;
    for (const part of parts) next = isObject(next) ? next[part] : undefined;
    value = next;
    path = parts;
  }
  return { value, path };
}

/**
 * An AsyncAPI 3.0 document with `x-firehose-*` extensions as the catalogue document it declares
 * (`firehose-catalogue: 1`), and where each catalogue field is in the AsyncAPI document (for
 * problems' lines): services from `x-firehose-services`, one event type per channel from its
 * `x-firehose-event` (description from the channel, schema of `data` from its message's payload).
 * Returns the problems instead when the document is not one (wrong version, a missing extension,
 * a channel without a firehose topic).
 */
export function catalogueFromAsyncApi(
  document: Json,
):
  | { document: Json; pathOf: (path: DocumentPath) => DocumentPath }
  | { problems: { path: DocumentPath; message: string }[] } {
  const problems: { path: DocumentPath; message: string }[] = [];
  const version = document.asyncapi;
  if (typeof version !== 'string' || !/^3\.\d+\.\d+$/.test(version))
    problems.push({
      path: ['asyncapi'],
      message: `must be an AsyncAPI 3.x version such as 3.0.0 (the only one firehose reads), got ${JSON.stringify(version)}.`,
    });
  const declared = document[ASYNCAPI_SERVICES_KEY];
  if (!isObject(declared))
    problems.push({
      path: [ASYNCAPI_SERVICES_KEY],
      message:
        'is missing; give the services as name → { description, source } (firehose schema export writes it).',
    });
  const services: Record<string, Json> = {};
  // Catalogue path (as a dotted key) → AsyncAPI path, for the fields problems may name.
  const where = new Map<string, DocumentPath>();
  for (const [name, spec] of Object.entries(isObject(declared) ? declared : {})) {
    services[name] = isObject(spec) ? { ...spec, events: {} } : (spec as Json);
    where.set(fieldName(['services', name]), [ASYNCAPI_SERVICES_KEY, name]);
  }
  const channels = isObject(document.channels) ? document.channels : {};
  for (const [id, channel] of Object.entries(channels)) {
    const at: DocumentPath = ['channels', id];
    const event = isObject(channel) ? channel[ASYNCAPI_EVENT_KEY] : undefined;
    if (!isObject(event) || typeof event.topic !== 'string') {
      problems.push({
        path: isObject(event) ? [...at, ASYNCAPI_EVENT_KEY, 'topic'] : at,
        message: `has no firehose topic; give it ${ASYNCAPI_EVENT_KEY}: { service, event, topic, ... } (firehose schema export writes it).`,
      });
      continue;
    }
    const { service, event: name, ...spec } = event;
    if (typeof service !== 'string' || !isObject(services[service])) {
      problems.push({
        path: [...at, ASYNCAPI_EVENT_KEY, 'service'],
        message: `must name a service of ${ASYNCAPI_SERVICES_KEY} (${Object.keys(services).join(', ') || 'none declared'}), got ${JSON.stringify(service)}.`,
      });
      continue;
    }
    if (typeof name !== 'string') {
      problems.push({
        path: [...at, ASYNCAPI_EVENT_KEY, 'event'],
        message: `must be the event name (the type ${service}.<event>), got ${JSON.stringify(name)}.`,
      });
      continue;
    }
    // The schema of `data`: the message's payload is the envelope, its `data` the event's own.
    const messages = isObject(channel) && isObject(channel.messages) ? channel.messages : {};
    const [messageId, messageRef] = Object.entries(messages)[0] ?? [];
    const message = follow(document, messageRef, [...at, 'messages', String(messageId)]);
    const payload = isObject(message.value)
      ? follow(document, message.value.payload, [...message.path, 'payload'])
      : undefined;
    const data =
      payload !== undefined && isObject(payload.value) && isObject(payload.value.properties)
        ? follow(document, payload.value.properties.data, [...payload.path, 'properties', 'data'])
        : undefined;
    if (data === undefined || data.value === undefined) {
      problems.push({
        path: [...at, 'messages'],
        message:
          'must hold one message whose payload (the CloudEvents envelope) declares the schema of data.',
      });
      continue;
    }
    const events = services[service].events as Record<string, Json | Json[]>;
    const description = isObject(channel) ? (channel.description ?? channel.title) : undefined;
    // The schema's own refs point into the document (`#/components/schemas/<id>/$defs/…`); as a
    // catalogue's schema, they point into the schema itself.
    const schema = rebaseRefs(data.value, pointerRef(data.path), '#');
    const declaration = { description, ...spec, schema };
    const previous = events[name];
    const index = previous === undefined ? undefined : Array.isArray(previous) ? previous.length : 1;
    if (previous === undefined) events[name] = declaration;
    else if (Array.isArray(previous)) previous.push(declaration);
    else {
      events[name] = [previous, declaration];
      // The first declaration of a now listed event moved to [0].
      for (const [key, path] of [...where])
        if (key.startsWith(fieldName(['services', service, 'events', name])) && !key.includes('['))
          where.set(key.replace(`events.${name}`, `events.${name}[0]`), path);
    }
    const base = fieldName(['services', service, 'events', name]) + (index === undefined ? '' : `[${index}]`);
    where.set(base, at);
    for (const key of Object.keys(spec)) where.set(`${base}.${key}`, [...at, ASYNCAPI_EVENT_KEY, key]);
    where.set(`${base}.description`, [...at, 'description']);
    where.set(`${base}.schema`, data.path);
  }
  if (problems.length > 0) return { problems };
  const pathOf = (path: DocumentPath): DocumentPath => {
    // The longest catalogue prefix with a known place, and the rest of the path below it.
    for (let n = path.length; n > 0; n--) {
      const found = where.get(fieldName(path.slice(0, n)));
      if (found !== undefined) return [...found, ...path.slice(n)];
    }
    return [];
  };
  return {
    document: { [CATALOGUE_FORMAT_KEY]: CATALOGUE_FORMAT_VERSION, services },
    pathOf,
  };
}
