import type { EventType } from './event-type.js';
import type { ServiceDefinition } from './service-definition.js';
import { ansible } from './services/ansible.js';
import { gearmanLogstash, gearmanSubunit } from './services/gearman.js';
import { gerrit } from './services/gerrit.js';
import { launchpad } from './services/launchpad.js';
import { zuul } from './services/zuul.js';

// The generic element type erases each event type's own Data/params so they share one list.
const list = (group: Record<string, unknown>): readonly EventType[] => Object.values(group) as EventType[];

/** Every declared service of docs/architecture.md#topics, in catalogue order. */
export const services: readonly ServiceDefinition[] = Object.freeze([
  {
    name: 'gerrit',
    description: 'Gerrit code review stream-events.',
    source: 'https://review.opendev.org',
    eventTypes: list(gerrit),
  },
  {
    name: 'launchpad',
    description: 'Launchpad bug tracker notifications.',
    source: 'https://bugs.launchpad.net',
    eventTypes: list(launchpad),
  },
  {
    name: 'zuul',
    description: "Zuul CI's MQTT reporter.",
    source: 'https://zuul.opendev.org',
    eventTypes: list(zuul),
  },
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
  {
    name: 'ansible',
    description: 'Ansible playbook runs (MQTT callback plugin).',
    source: 'https://bridge.opendev.org/ansible',
    eventTypes: list(ansible),
  },
]);
