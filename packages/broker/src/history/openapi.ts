import { services as builtIn, type ServiceDefinition } from '@firehose/schema';
import { declaredKeyNames, MAX_LIMIT, DEFAULT_LIMIT } from './query.js';

const ERROR = {
  description: 'An error: a sentence that says what to do, naming the parameter for a 400.',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};

const text = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

/** Every filter both endpoints take, the declared search keys included (one parameter each). */
function filterParameters(services: readonly ServiceDefinition[]): Record<string, unknown>[] {
  return [
    text('service', 'Service name, the first topic level (gerrit, zuul, …).'),
    text('type', 'CloudEvents type; repeat it or separate several with commas.', {
      type: 'array',
      items: { type: 'string' },
    }),
    text('topic', 'An MQTT topic filter (+ and # wildcards).'),
    text(
      'where',
      "A predicate in the SDK's grammar over the envelope plus topic and params, evaluated by the broker.",
    ),
    ...[...declaredKeyNames(services)]
      .sort()
      .map((name) => text(name, `Declared search key ${name} (exact value).`)),
  ];
}

/**
 * The OpenAPI 3.1 description of the history API (served at `/v1/openapi.json`), with the search
 * keys `services` declare.
 */
export function historyOpenApi(services: readonly ServiceDefinition[] = builtIn): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'firehose history API',
      version: '1',
      description:
        'Search the archive of accepted events and stream from any cursor into live with nothing missing, nothing twice, in order. ' +
        'Every response carries Access-Control-Allow-Origin: * and Access-Control-Expose-Headers: Retry-After; a preflight OPTIONS gets 204 allowing GET, HEAD and the headers Authorization, Last-Event-ID.',
    },
    paths: {
      '/v1/events': {
        get: {
          summary: 'Search archived events (keyset paging; no totals)',
          parameters: [
            ...filterParameters(services),
            text('from', 'Oldest accept time: ISO 8601 or relative (-30m, -2h, -7d).'),
            text('to', 'Newest accept time: ISO 8601 or relative.'),
            text('order', 'asc or desc.', { type: 'string', enum: ['asc', 'desc'], default: 'desc' }),
            text('limit', 'Events per page.', {
              type: 'integer',
              minimum: 1,
              maximum: MAX_LIMIT,
              default: DEFAULT_LIMIT,
            }),
            text('cursor', 'Continue from the `next` of the previous page.'),
          ],
          responses: {
            '200': {
              description:
                'A page; `next` is non-null whenever the scan stopped early (page full or scan budget spent).',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Page' } } },
            },
            '400': ERROR,
            '401': ERROR,
            '503': ERROR,
          },
        },
      },
      '/v1/events/{key}': {
        get: {
          summary: 'One event by cursor or CloudEvents id',
          parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'The record.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Record' } } },
            },
            '401': ERROR,
            '404': ERROR,
            '503': ERROR,
          },
        },
      },
      '/v1/stream': {
        get: {
          summary: 'Server-Sent Events: the archive after `since`, then live, gaplessly',
          parameters: [
            ...filterParameters(services),
            text(
              'since',
              'A cursor, or a time (ISO 8601 or relative). Last-Event-ID wins over it; neither: live only.',
            ),
            {
              name: 'Last-Event-ID',
              in: 'header',
              required: false,
              description:
                'The cursor of the last event received; wins over since, so an EventSource reconnecting to the same URL resumes after it.',
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': {
              description:
                'text/event-stream: `id: <cursor>` + `data: <Record>` per event, `: heartbeat` every 15 s, `event: reset` with `{"oldest"}` when since is older than the archive holds.',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            '400': ERROR,
            '401': ERROR,
            '429': ERROR,
            '503': ERROR,
          },
        },
      },
    },
    components: {
      securitySchemes: { basic: { type: 'http', scheme: 'basic' } },
      schemas: {
        Record: {
          type: 'object',
          required: ['cursor', 'topic', 'event'],
          properties: {
            cursor: { type: 'string', pattern: '^[0-9a-f]{16}$' },
            topic: { type: 'string' },
            event: { type: 'object', description: 'The CloudEvents envelope as published.' },
          },
        },
        Page: {
          type: 'object',
          required: ['events', 'next'],
          properties: {
            events: { type: 'array', items: { $ref: '#/components/schemas/Record' } },
            next: { type: ['string', 'null'] },
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: {
                  type: 'string',
                  enum: [
                    'BAD_PARAMETER',
                    'NOT_FOUND',
                    'UNAUTHORIZED',
                    'TOO_MANY_STREAMS',
                    'HISTORY_OFF',
                    'UNAVAILABLE',
                  ],
                },
                message: { type: 'string' },
                parameter: { type: 'string' },
              },
            },
          },
        },
      },
    },
    security: [{}, { basic: [] }],
  };
}
