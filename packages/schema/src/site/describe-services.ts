import type { EventType } from '../event-type.js';
import type { ServiceDefinition } from '../service-definition.js';
import {
  CATALOGUE_FORMAT_KEY,
  CATALOGUE_FORMAT_VERSION,
  type CatalogueDocument,
  type EventSpec,
  type ServiceSpec,
} from './catalogue-document.js';

/** Options of {@link describeServices}. */
export interface DescribeOptions {
  /**
   * Keep each service's `ingest` block and the events' `match` values. Off by default: the broker
   * publishes this document to anyone who reads `$firehose/services`, and how its webhooks
   * authenticate (the secret's variable name) is none of a reader's business.
   * @default false
   */
  ingest?: boolean;
}

function eventSpec(eventType: EventType, match: string | undefined): EventSpec {
  return {
    version: eventType.version,
    description: eventType.description,
    topic: eventType.template.pattern,
    schema: eventType.schema,
    ...(match === undefined ? {} : { match }),
    ...(Object.keys(eventType.paramSources).length === 0
      ? {}
      : { params: eventType.paramSources as Record<string, string> }),
    ...(eventType.identityPaths === undefined ? {} : { identity: eventType.identityPaths }),
    ...(Object.keys(eventType.keys).length === 0 ? {} : { keys: eventType.keys }),
    ...(eventType.subjectTemplate === undefined ? {} : { subject: eventType.subjectTemplate }),
    ...(eventType.rendering === undefined ? {} : { render: eventType.rendering }),
    ...(eventType.dataType === undefined ? {} : { dataType: eventType.dataType }),
    ...(eventType.secretMarkers.length === 0 ? {} : { secretMarkers: eventType.secretMarkers }),
    ...(eventType.deprecated ? { deprecated: true } : {}),
  };
}

/**
 * Services as a catalogue document (`firehose-catalogue: 1`), the inverse of `buildSiteServices`:
 * `buildSiteServices(describeServices(services))` declares the same event types (topics, schemas,
 * params, identity, keys, subject, render rules, versions). The broker publishes its site services
 * this way on `$firehose/services`, so the CLI and the dashboard learn them without a rebuild; the
 * built-in TypeBox services describe themselves the same way (their schemas are JSON Schema).
 */
export function describeServices(
  services: readonly ServiceDefinition[],
  options: DescribeOptions = {},
): CatalogueDocument {
  const described: Record<string, ServiceSpec> = {};
  for (const service of services) {
    const withIngest = options.ingest === true ? service.ingest : undefined;
    const matchOf = new Map(Object.entries(withIngest?.match ?? {}).map(([value, type]) => [type, value]));
    const events: Record<string, EventSpec | EventSpec[]> = {};
    for (const eventType of service.eventTypes) {
      const spec = eventSpec(eventType, eventType.deprecated ? undefined : matchOf.get(eventType.type));
      const previous = events[eventType.event];
      events[eventType.event] =
        previous === undefined ? spec : [...(Array.isArray(previous) ? previous : [previous]), spec];
    }
    described[service.name] = {
      description: service.description,
      source: service.source,
      ...(withIngest === undefined
        ? {}
        : {
            ingest: {
              auth: withIngest.auth,
              secretEnv: withIngest.secretEnv,
              eventFrom: withIngest.eventFrom,
            },
          }),
      events,
    };
  }
  return { [CATALOGUE_FORMAT_KEY]: CATALOGUE_FORMAT_VERSION, services: described };
}
