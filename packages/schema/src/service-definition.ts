import type { EventType } from './event-type.js';

/** A publishing service: the first topic level and its event types. */
export interface ServiceDefinition {
  /** First topic level and the prefix of every CloudEvents `type`, e.g. `gerrit`. */
  readonly name: string;
  readonly description: string;
  /** Default envelope `source`: the upstream instance URI (publishers may override it). */
  readonly source: string;
  /** Every declared event type, every version. */
  readonly eventTypes: readonly EventType[];
}
