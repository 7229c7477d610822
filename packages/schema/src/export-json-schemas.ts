import type { Catalogue } from './catalogue.js';
import { catalogue as defaultCatalogue } from './default-catalogue.js';
import type { EventType } from './event-type.js';

/** JSON Schema dialect of every exported schema. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** File name of an event type's exported schema: `gerrit.comment-added.v1.json`. */
export function schemaFileName(eventType: Pick<EventType, 'type' | 'version'>): string {
  return `${eventType.type}.v${eventType.version}.json`;
}

/** The standalone JSON Schema of one event type's `data`, with its `$id` = the `dataschema` URN. */
export function exportJsonSchema(eventType: EventType): Record<string, unknown> {
  // A JSON round-trip drops anything that is not plain JSON Schema.
  const schema = JSON.parse(JSON.stringify(eventType.schema)) as Record<string, unknown>;
  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: eventType.dataschema,
    title: eventType.type,
    description: eventType.description,
    ...(eventType.deprecated ? { deprecated: true } : {}),
    'x-firehose-topic': eventType.template.pattern,
    ...schema,
  };
}

/** One JSON Schema per event type and major, keyed by file name (`gerrit.comment-added.v1.json`). */
export function exportJsonSchemas(catalogue: Catalogue = defaultCatalogue): Map<string, object> {
  return new Map(
    catalogue.eventTypes.map((eventType) => [schemaFileName(eventType), exportJsonSchema(eventType)]),
  );
}
