import type { DataPath } from '../data-path.js';
import type { RenderSpec } from '../render-spec.js';
import type { IngestAuth, IngestEventFrom } from '../service-definition.js';

/** The first key of a catalogue file and its format version. */
export const CATALOGUE_FORMAT_KEY = 'firehose-catalogue';
export const CATALOGUE_FORMAT_VERSION = 1;

/**
 * The retained topic where a broker publishes its site services as one catalogue document
 * (`describeServices`), so clients learn them at run time.
 */
export const SERVICES_TOPIC = '$firehose/services';

/**
 * A site catalogue file, parsed (YAML or JSON): `firehose-catalogue: 1` and the services.
 * The same shape is what `describeServices` writes, so a catalogue round-trips through it.
 */
export interface CatalogueDocument {
  readonly 'firehose-catalogue': 1;
  readonly services: Readonly<Record<string, ServiceSpec>>;
}

/** One service of a catalogue file. Its name (the key) is the first topic level. */
export interface ServiceSpec {
  readonly description: string;
  /** Default envelope `source`, an absolute URI of the upstream instance. */
  readonly source: string;
  readonly ingest?: IngestSpec;
  /** Event name → its declaration, or a list of declarations, one per schema major. */
  readonly events: Readonly<Record<string, EventSpec | readonly EventSpec[]>>;
}

/** The HTTP intake of a service; see `ServiceIngest`. */
export interface IngestSpec {
  readonly auth: IngestAuth;
  readonly secretEnv: string;
  readonly eventFrom: IngestEventFrom;
}

/** One event type at one major, as a file declares it. */
export interface EventSpec {
  /** @default 1 */
  readonly version?: number;
  readonly description: string;
  /** Topic pattern, starting with the service name: `github/{repo+}/push`. */
  readonly topic: string;
  /** JSON Schema (draft 2020-12) of `data`. In files, `$ref` may name a sibling file. */
  readonly schema: object;
  /** The intake's selector value for this event type (`X-GitHub-Event: push`). */
  readonly match?: string;
  readonly params?: Readonly<Record<string, DataPath>>;
  readonly identity?: readonly DataPath[];
  readonly keys?: Readonly<Record<string, DataPath>>;
  readonly subject?: string;
  readonly render?: RenderSpec;
  /** Required value of `data.type`. */
  readonly dataType?: string;
  readonly secretMarkers?: readonly string[];
  /** @default false */
  readonly deprecated?: boolean;
}
