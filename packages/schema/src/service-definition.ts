import type { EventType } from './event-type.js';

/** How a site service's webhooks authenticate (catalogue files, `ingest.auth`). */
export type IngestAuth = 'github-hmac' | 'gitlab-token' | 'bearer';

/** Where the HTTP intake reads the value that selects an event type: a header, or a JSON pointer into the body. */
export type IngestEventFrom = { readonly header: string } | { readonly pointer: string };

/**
 * The HTTP intake of a site service (`POST /v1/ingest/<service>`), as declared in its catalogue
 * file. The secret itself is never in the file: `secretEnv` names the environment variable.
 */
export interface ServiceIngest {
  readonly auth: IngestAuth;
  readonly secretEnv: string;
  readonly eventFrom: IngestEventFrom;
  /** Selector value (`push`) → CloudEvents type (`github.push`), from each event type's `match`. */
  readonly match: Readonly<Record<string, string>>;
}

/** A publishing service: the first topic level and its event types. */
export interface ServiceDefinition {
  /** First topic level and the prefix of every CloudEvents `type`, e.g. `gerrit`. */
  readonly name: string;
  readonly description: string;
  /** Default envelope `source`: the upstream instance URI (publishers may override it). */
  readonly source: string;
  /** Every declared event type, every version. */
  readonly eventTypes: readonly EventType[];
  /** The HTTP intake, for site services that declare one. @default undefined (none) */
  readonly ingest?: ServiceIngest;
}
