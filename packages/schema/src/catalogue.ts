import type { FirehoseEvent } from '@firehose/protocol';
import { FirehoseError } from '@firehose/protocol';
import { checkEventIn, type CheckResult } from './check-event.js';
import type { EventType } from './event-type.js';
import { eventTypesForFilterIn } from './filter-coverage.js';
import { buildTrie, eventTypeForTopicIn, lookupIn, type LookupResult } from './lookup.js';
import type { ServiceDefinition } from './service-definition.js';

/**
 * A set of services and their event types, with the lookups the broker and clients need. The
 * package's own catalogue is `catalogue`; `createCatalogue` builds others (a site's extra
 * services, or a test's second schema major). Every function is a bound closure.
 */
export interface Catalogue {
  readonly services: readonly ServiceDefinition[];
  /** Every declared event type, every version. */
  readonly eventTypes: readonly EventType[];
  /** The event type for a `type` and major; without `major`, the newest non-deprecated version. */
  readonly getEventType: (type: string, major?: number) => EventType | undefined;
  /** All declared versions of a type, newest first. */
  readonly getEventTypeVersions: (type: string) => readonly EventType[];
  readonly getService: (name: string) => ServiceDefinition | undefined;
  /** Topic → current event type and decoded params, through a trie over topic levels. */
  readonly lookup: (topic: string) => LookupResult | undefined;
  /** The current event type whose topic pattern the topic's levels match, decoding nothing. */
  readonly eventTypeForTopic: (topic: string) => EventType | undefined;
  /** Topic + envelope → valid / undeclared / invalid. Never throws. */
  readonly checkEvent: (topic: string, event: FirehoseEvent) => CheckResult;
  /** The event types an MQTT filter can receive (empty: the filter matches no declared topic). */
  readonly eventTypesForFilter: (filter: string) => EventType[];
}

function invalid(message: string): FirehoseError {
  return new FirehoseError('INVALID_PARAMS', message);
}

/**
 * Builds a catalogue. Throws a FirehoseError `INVALID_PARAMS` when two declarations share a type
 * and major, a type's service or topic does not start with its service name, or the topic patterns
 * of two types overlap.
 */
export function createCatalogue(services: readonly ServiceDefinition[]): Catalogue {
  const byType = new Map<string, EventType[]>();
  const serviceByName = new Map<string, ServiceDefinition>();
  for (const service of services) {
    if (serviceByName.has(service.name))
      throw invalid(`The service ${service.name} is declared twice; declare it once.`);
    serviceByName.set(service.name, service);
    for (const eventType of service.eventTypes) {
      if (eventType.service !== service.name || !eventType.template.pattern.startsWith(`${service.name}/`)) {
        throw invalid(
          `${eventType.type} is listed under ${service.name}; its type and topic must start with the service name.`,
        );
      }
      const versions = byType.get(eventType.type) ?? [];
      if (versions.some((other) => other.version === eventType.version)) {
        throw invalid(
          `${eventType.type} v${eventType.version} is declared twice; give each major one declaration.`,
        );
      }
      versions.push(eventType);
      versions.sort((a, b) => b.version - a.version);
      byType.set(eventType.type, versions);
    }
  }
  const eventTypes: readonly EventType[] = Object.freeze(services.flatMap((service) => service.eventTypes));
  const getEventType = (type: string, major?: number): EventType | undefined => {
    const versions = byType.get(type);
    if (versions === undefined) return undefined;
    if (major === undefined) return versions.find((v) => !v.deprecated) ?? versions[0];
    return versions.find((v) => v.version === major);
  };
  const getEventTypeVersions = (type: string): readonly EventType[] => byType.get(type) ?? [];
  const trie = buildTrie(eventTypes, getEventType);
  const context = { trie, getEventType, getEventTypeVersions };
  return Object.freeze({
    services,
    eventTypes,
    getEventType,
    getEventTypeVersions,
    getService: (name: string) => serviceByName.get(name),
    lookup: (topic: string) => lookupIn(trie, topic),
    eventTypeForTopic: (topic: string) => eventTypeForTopicIn(trie, topic),
    checkEvent: (topic: string, event: FirehoseEvent) => checkEventIn(context, topic, event),
    eventTypesForFilter: (filter: string) => eventTypesForFilterIn(eventTypes, getEventType, filter),
  });
}
