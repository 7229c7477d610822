import type { EventType } from './event-type.js';
import { ansible } from './services/ansible.js';
import { gearmanLogstash, gearmanSubunit } from './services/gearman.js';
import { gerrit } from './services/gerrit.js';
import { launchpad } from './services/launchpad.js';
import { zuul } from './services/zuul.js';

/** A publishing service: the first topic level and its event types. */
export interface ServiceDefinition {
  /** First topic level and the prefix of every CloudEvents `type`, e.g. `gerrit`. */
  readonly name: string;
  readonly description: string;
  /** Default envelope `source`: the upstream instance URI (publishers may override it). */
  readonly source: string;
  readonly eventTypes: readonly EventType[];
}

// The generic element type erases each event type's own Data/params so they share one list.
const list = (group: Record<string, unknown>): readonly EventType[] => Object.values(group) as EventType[];

/** Every declared service, in catalogue order. */
export const services: readonly ServiceDefinition[] = Object.freeze([
  { name: 'gerrit', description: 'Gerrit code review stream-events.', source: 'https://review.opendev.org', eventTypes: list(gerrit) },
  { name: 'launchpad', description: 'Launchpad bug tracker notifications.', source: 'https://bugs.launchpad.net', eventTypes: list(launchpad) },
  { name: 'zuul', description: "Zuul CI's MQTT reporter.", source: 'https://zuul.opendev.org', eventTypes: list(zuul) },
  {
    name: 'gearman-subunit',
    description: 'The subunit2sql gearman log worker.',
    source: 'https://logstash.opendev.org/gearman-subunit',
    eventTypes: list(gearmanSubunit),
  },
  {
    name: 'gearman-logstash',
    description: 'The logstash gearman log worker.',
    source: 'https://logstash.opendev.org/gearman-logstash',
    eventTypes: list(gearmanLogstash),
  },
  { name: 'ansible', description: 'Ansible playbook runs (MQTT callback plugin).', source: 'https://bridge.opendev.org/ansible', eventTypes: list(ansible) },
]);

/** Every declared event type, every version. */
export const eventTypes: readonly EventType[] = Object.freeze(services.flatMap((service) => service.eventTypes));

const byType = new Map<string, EventType[]>();
for (const eventType of eventTypes) {
  const versions = byType.get(eventType.type) ?? [];
  if (versions.some((other) => other.version === eventType.version)) {
    throw new Error(`Duplicate declaration of ${eventType.type} v${eventType.version}.`);
  }
  versions.push(eventType);
  versions.sort((a, b) => b.version - a.version);
  byType.set(eventType.type, versions);
}
const serviceByName = new Map(services.map((service) => [service.name, service]));

/**
 * The event type for a CloudEvents `type` and schema major. Without `major`, the newest
 * non-deprecated version (or the newest, when all are deprecated).
 */
export function getEventType(type: string, major?: number): EventType | undefined {
  const versions = byType.get(type);
  if (versions === undefined) return undefined;
  if (major === undefined) return versions.find((v) => !v.deprecated) ?? versions[0];
  return versions.find((v) => v.version === major);
}

/** All declared versions of a type, newest first. */
export function getEventTypeVersions(type: string): readonly EventType[] {
  return byType.get(type) ?? [];
}

/** The service definition for a first topic level / type prefix. */
export function getService(name: string): ServiceDefinition | undefined {
  return serviceByName.get(name);
}
