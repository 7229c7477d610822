import type { Static, TSchema } from 'typebox';
import { readPath, type DataPath } from './data-path.js';
import { compileRenderSpec, type RenderSpec } from './render-spec.js';
import { FirehoseError, PLACEHOLDER_LEVEL, dataschemaUrn } from '@firehose/protocol';
import {
  topicTemplate,
  type TemplateParamNames,
  type TemplateParams,
  type TopicTemplate,
} from './topic-template.js';
import { compileValidator, type ValidationResult } from './validation.js';
import { checkIndexKeys } from './index-keys.js';

/** What a subscriber asks for: an event type and the parameters it pinned. */
export interface Subscription<Data = unknown, P extends Record<string, string> = Record<string, string>> {
  readonly eventType: EventType<Data, P>;
  readonly params: Partial<P>;
  /** MQTT filters covering exactly the matching topics; they never overlap. */
  readonly filters: string[];
}

/**
 * One declared event type of a service, at one schema major version. Callable: calling it with
 * (partial) topic parameters gives a {@link Subscription}, e.g. `gerrit.commentAdded({ project: 'openstack/nova' })`.
 */
export interface EventType<Data = unknown, P extends Record<string, string> = Record<string, string>> {
  (params?: Partial<P>): Subscription<Data, P>;
  /** Publishing service, the first topic level, e.g. `gerrit`. */
  readonly service: string;
  /** Event name within the service, e.g. `comment-added`. */
  readonly event: string;
  /** CloudEvents `type`, e.g. `gerrit.comment-added`. */
  readonly type: string;
  /** Schema major version. */
  readonly version: number;
  /** `urn:firehose:schema:<type>:<major>`, the envelope's `dataschema`. */
  readonly dataschema: string;
  /** True when a newer major replaces this one; still accepted during the transition. */
  readonly deprecated: boolean;
  readonly description: string;
  /** JSON Schema of `data` (open: unknown properties are allowed). */
  readonly schema: object;
  readonly template: TopicTemplate<P>;
  /** Value `data.type` must have, for services that repeat the event name in their payload (Gerrit). */
  readonly dataType: string | undefined;
  /** Rendering rules, as data. */
  readonly rendering: RenderSpec | undefined;
  // Method syntax keeps a specific event type assignable to the generic `EventType` (methods are
  // compared bivariantly); `this: void` says they are closures, safe to pass around unbound.
  /** Builds the topic (same as `template.build`). */
  topic(this: void, params: P): string;
  /** Validates `data` with the compiled schema; never throws. */
  validate(this: void, data: unknown): ValidationResult;
  /** Subject for the envelope, e.g. `openstack/nova/change/912345`, derived from data. */
  subject(this: void, data: Data): string | undefined;
  /** Upstream identity for deterministic ids, when the data has one. */
  identity(this: void, data: Data): readonly (string | number)[] | undefined;
  /**
   * The topic for this data: parameters come from the data where declared (`project` from
   * `change.project`; an absent or empty field gives the placeholder `-`), `params` supplies or
   * overrides the rest. Throws `INVALID_PARAMS` when an undeclared one is missing.
   */
  topicFor(this: void, data: Data, params?: Partial<P>): string;
  /** Which data field each topic parameter repeats; `checkEvent` requires them to agree. */
  readonly paramSources: Readonly<Partial<Record<keyof P & string, DataPath>>>;
  /** Properties marking an object in `data` as never to be sent; see {@link EventTypeDefinition.secretMarkers}. */
  readonly secretMarkers: readonly string[];
  /** Declared search keys: name → data path; the broker's archive indexes them. See {@link EventTypeDefinition.keys}. */
  readonly keys: Readonly<Record<string, DataPath>>;
  /** The declared subject template, as written (`{change.project}/change/{change.number}`). */
  readonly subjectTemplate: string | undefined;
  /** The declared identity data paths, as written. */
  readonly identityPaths: readonly DataPath[] | undefined;
}

/** The `data` type of an event type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type InferData<E> = E extends EventType<infer D, any> ? D : never;
/** The topic parameters of an event type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type InferParams<E> = E extends EventType<any, infer P> ? P : never;

/** Declaration of an event type; see {@link defineEventType}. */
export interface EventTypeDefinition<T extends string, S extends TSchema> extends EventTypeDeclaration<T> {
  /** TypeBox schema of `data`. */
  schema: S;
}

/**
 * Everything of an event type's declaration but its schema: shared by TypeBox declarations
 * ({@link defineEventType}) and site catalogue files, whose schemas are plain JSON Schema.
 */
export interface EventTypeDeclaration<T extends string = string> {
  service: string;
  event: string;
  description: string;
  /** Topic pattern, e.g. `gerrit/{project+}/comment-added`. */
  topic: T;
  /** @default 1 */
  version?: number;
  /** @default false */
  deprecated?: boolean;
  /** Required value of `data.type`. @default undefined (not checked) */
  dataType?: string;
  /**
   * Subject template over `data`, e.g. `{change.project}/change/{change.number}`; undefined when a
   * placeholder is missing. @default undefined (no subject)
   */
  subject?: string;
  /** Data paths forming the upstream identity; undefined when any is missing. @default undefined (random ids) */
  identity?: readonly DataPath[];
  /**
   * Data field each topic parameter repeats, e.g. `{ project: 'change.project' }`. `checkEvent`
   * rejects an event whose topic disagrees with a present field; `topicFor` fills parameters from
   * them. @default {} (nothing checked)
   */
  params?: { readonly [K in TemplateParamNames<T>]?: DataPath };
  render?: RenderSpec;
  /**
   * Property names that mark an object in `data` as never to be sent, e.g. Ansible's
   * `_ansible_no_log`: an object anywhere in `data` carrying one of them (with any value but
   * `false`) holds a secret. The schema should refuse such events; `redactSecrets` replaces the
   * marked objects wherever a refused payload is kept, so an excerpt never carries them.
   * @default [] (nothing is secret)
   */
  secretMarkers?: readonly string[];
  /**
   * Search keys of the history archive: name → data path, e.g. `{ project: 'change.project',
   * change: 'change.number' }`. The broker indexes each one, and the history API accepts it as a
   * query parameter (`?project=openstack/nova`), so a service gains search by declaring them.
   * Names are lower-case words (`/^[a-z][a-z0-9_]*$/`), not a reserved query word (see
   * `RESERVED_KEY_NAMES`). Values are read as strings; absent or non-scalar values are not indexed.
   * @default {} (no search keys)
   */
  keys?: { readonly [name: string]: DataPath };
}

const PLACEHOLDER = /\{([^{}]+)\}/g;

function compileSubject(template: string | undefined): (data: unknown) => string | undefined {
  if (template === undefined) return () => undefined;
  return (data) => {
    let missing = false;
    const text = template.replace(PLACEHOLDER, (_, path: string) => {
      const value = readPath(data, path);
      if (typeof value === 'string' ? value === '' : typeof value !== 'number') {
        missing = true;
        return '';
      }
      return String(value);
    });
    return missing ? undefined : text;
  };
}

function compileIdentity(
  paths: readonly DataPath[] | undefined,
): (data: unknown) => readonly (string | number)[] | undefined {
  if (paths === undefined) return () => undefined;
  return (data) => {
    const identity: (string | number)[] = [];
    for (const path of paths) {
      const value = readPath(data, path);
      if (typeof value !== 'string' && typeof value !== 'number') return undefined;
      identity.push(value);
    }
    return identity;
  };
}

/** The text of a data value that stands in a topic level; `undefined` when absent or not scalar. */
export function paramText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  return typeof value === 'number' ? String(value) : undefined;
}

/** Declares an event type: compiles its topic template and schema, and makes it callable. */
export function defineEventType<const T extends string, S extends TSchema>(
  definition: EventTypeDefinition<T, S>,
): EventType<Static<S>, TemplateParams<T>> {
  const type = `${definition.service}.${definition.event}`;
  const validate = compileValidator(definition.schema, `${type} v${definition.version ?? 1}`);
  return buildEventType<T, Static<S>>(definition, definition.schema, validate);
}

/**
 * @internal Builds an event type from its declaration, its JSON Schema and the validator compiled
 * from it (TypeBox for the built-ins, ajv for site catalogues).
 */
export function buildEventType<const T extends string, Data>(
  definition: EventTypeDeclaration<T>,
  schema: object,
  validate: (data: unknown) => ValidationResult,
): EventType<Data, TemplateParams<T>> {
  type P = TemplateParams<T>;
  const type = `${definition.service}.${definition.event}`;
  const version = definition.version ?? 1;
  const template = topicTemplate(definition.topic);
  // Compiled once here only to reject unknown formatters at declaration time.
  if (definition.render !== undefined) compileRenderSpec(definition.render);
  const eventType = ((params?: Partial<P> | null): Subscription<Data, P> => ({
    eventType,
    params: params ?? {},
    filters: template.filters(params ?? undefined),
  })) as EventType<Data, P>;
  const properties: Omit<EventType<Data, P>, never> = {
    service: definition.service,
    event: definition.event,
    type,
    version,
    dataschema: dataschemaUrn(type, version),
    deprecated: definition.deprecated ?? false,
    description: definition.description,
    schema,
    template,
    dataType: definition.dataType,
    rendering: definition.render,
    topic: (params: P) => template.build(params),
    validate,
    subject: compileSubject(definition.subject),
    identity: compileIdentity(definition.identity),
    paramSources: Object.freeze({ ...(definition.params ?? {}) }),
    secretMarkers: Object.freeze([...(definition.secretMarkers ?? [])]),
    keys: checkIndexKeys(type, definition.keys),
    subjectTemplate: definition.subject,
    identityPaths: definition.identity === undefined ? undefined : Object.freeze([...definition.identity]),
    topicFor: (data: unknown, params: Partial<P> = {}) => {
      const derived: Record<string, string> = {};
      for (const [name, path] of Object.entries(definition.params ?? {}) as [string, DataPath][]) {
        // A declared field that is absent or empty means "no value": the placeholder level `-`
        // (a periodic Zuul item has no change, a tag no branch).
        derived[name] = paramText(readPath(data, path)) ?? PLACEHOLDER_LEVEL;
      }
      const merged = { ...derived, ...params } as Record<string, string | undefined>;
      for (const name of template.params) {
        if (merged[name] === undefined) {
          throw new FirehoseError(
            'INVALID_PARAMS',
            `The ${type} topic needs "${name}", which the data does not provide; pass it in params.`,
            { path: name },
          );
        }
      }
      return template.build(merged as P);
    },
  };
  for (const [key, value] of Object.entries(properties)) {
    Object.defineProperty(eventType, key, { value, enumerable: true });
  }
  return Object.freeze(eventType);
}
