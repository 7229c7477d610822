import type { Ajv2020 } from 'ajv/dist/2020.js';
import { checkCompatible } from '../compatibility.js';
import { buildEventType, type EventType, type EventTypeDeclaration } from '../event-type.js';
import { RESERVED_KEY_NAMES } from '../index-keys.js';
import { compileRenderSpec, type RenderSpec } from '../render-spec.js';
import type { IngestAuth, ServiceDefinition, ServiceIngest } from '../service-definition.js';
import { topicTemplate, type CompiledTopicTemplate } from '../topic-template.js';
import { compileAjvValidator, createAjv, schemaProblem } from './ajv-validator.js';
import { CATALOGUE_FORMAT_KEY, CATALOGUE_FORMAT_VERSION } from './catalogue-document.js';
import { CatalogueError, fieldName, type CatalogueProblem, type DocumentPath } from './catalogue-problem.js';
import { topicsOverlap } from './topic-overlap.js';

/** Options of {@link buildSiteServices}. */
export interface BuildOptions {
  /** Where a field of the document is (file and line), for problems. @default nowhere (field names only) */
  locate?: (path: DocumentPath) => { file?: string; line?: number };
  /** Services the catalogue runs beside (the built-ins): names and topics must not collide with them. @default [] */
  alongside?: readonly ServiceDefinition[];
  /**
   * The services running now, when these replace them (a broker's reload, `firehose schema check
   * --against`): a declaration of a running type and major must accept every event the running
   * schema accepts (`checkCompatible`), or be declared as a new major. @default [] (no check)
   */
  running?: readonly ServiceDefinition[];
}

const NAME = /^[a-z][a-z0-9-]*$/;
const KEY_NAME = /^[a-z][a-z0-9_]*$/;
const AUTHS: readonly IngestAuth[] = ['github-hmac', 'gitlab-token', 'bearer'];
const DATA_PATH = /^[^.\s]+(\.[^.\s]+)*$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** Collects problems with their place; `check` helpers return false when the field is unusable. */
class Problems {
  readonly list: CatalogueProblem[] = [];
  constructor(private readonly locate: BuildOptions['locate']) {}
  add(path: DocumentPath, message: string): false {
    const where = this.locate?.(path) ?? {};
    this.list.push({ ...where, field: fieldName(path), message });
    return false;
  }
}

function known(problems: Problems, value: Json, path: DocumentPath, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      problems.add([...path, key], `is not a catalogue field; use one of ${allowed.join(', ')}.`);
  }
}

function textField(
  problems: Problems,
  value: Json,
  path: DocumentPath,
  key: string,
  what: string,
): string | undefined {
  const text = value[key];
  if (isText(text)) return text;
  problems.add(
    [...path, key],
    text === undefined ? `is missing; give ${what}.` : `must be ${what}, got ${JSON.stringify(text)}.`,
  );
  return undefined;
}

function pathMap(
  problems: Problems,
  value: unknown,
  path: DocumentPath,
  names?: RegExp,
): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value))
    return void problems.add(
      path,
      'must be a map of name to data path, e.g. { repo: repository.full_name }.',
    );
  const out: Record<string, string> = {};
  for (const [name, dataPath] of Object.entries(value)) {
    if (typeof dataPath !== 'string' || !DATA_PATH.test(dataPath)) {
      problems.add(
        [...path, name],
        `must be a dotted data path such as repository.full_name, got ${JSON.stringify(dataPath)}.`,
      );
    } else if (names !== undefined && (!names.test(name) || RESERVED_KEY_NAMES.includes(name))) {
      problems.add(
        [...path, name],
        RESERVED_KEY_NAMES.includes(name)
          ? `"${name}" is a reserved history query word (${RESERVED_KEY_NAMES.join(', ')}); name the key otherwise (e.g. ${name}_name).`
          : `"${name}" is not a key name; use lower case letters, digits and _ (starting with a letter).`,
      );
    } else out[name] = dataPath;
  }
  return out;
}

function ingestOf(
  problems: Problems,
  value: unknown,
  path: DocumentPath,
): Omit<ServiceIngest, 'match'> | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) return void problems.add(path, 'must be a map with auth, secretEnv and eventFrom.');
  const before = problems.list.length;
  known(problems, value, path, ['auth', 'secretEnv', 'eventFrom']);
  const auth = value.auth;
  if (!AUTHS.includes(auth as IngestAuth))
    problems.add([...path, 'auth'], `must be one of ${AUTHS.join(', ')}, got ${JSON.stringify(auth)}.`);
  const secretEnv = value.secretEnv;
  if (typeof secretEnv !== 'string' || !/^[A-Z_][A-Z0-9_]*$/.test(secretEnv)) {
    problems.add(
      [...path, 'secretEnv'],
      `must name an environment variable (upper case, e.g. FIREHOSE_GITHUB_SECRET), got ${JSON.stringify(secretEnv)}.`,
    );
  }
  const from = value.eventFrom;
  const header =
    isObject(from) && Object.keys(from).length === 1 && isText(from.header)
      ? { header: from.header }
      : undefined;
  const pointer =
    isObject(from) &&
    Object.keys(from).length === 1 &&
    typeof from.pointer === 'string' &&
    from.pointer.startsWith('/')
      ? { pointer: from.pointer }
      : undefined;
  if (header === undefined && pointer === undefined) {
    problems.add([...path, 'eventFrom'], 'must be { header: <name> } or { pointer: </json/pointer> }.');
  }
  const eventFrom = header ?? pointer;
  if (problems.list.length > before || eventFrom === undefined) return undefined;
  return { auth: auth as IngestAuth, secretEnv: secretEnv as string, eventFrom };
}

/** Strips the dialect and id: each schema is compiled into one shared ajv, and exported with its own `$id`. */
function dataSchemaOf(problems: Problems, value: unknown, path: DocumentPath): object | undefined {
  if (typeof value === 'boolean') return value ? {} : { not: {} };
  if (!isObject(value))
    return void problems.add(path, 'must be a JSON Schema object (draft 2020-12) of the event data.');
  const { $schema, $id: _id, ...schema } = value;
  if ($schema !== undefined && $schema !== 'https://json-schema.org/draft/2020-12/schema') {
    return void problems.add(
      [...path, '$schema'],
      `must be https://json-schema.org/draft/2020-12/schema (the only dialect), got ${JSON.stringify($schema)}.`,
    );
  }
  return schema;
}

const EVENT_FIELDS = [
  'version',
  'description',
  'topic',
  'schema',
  'match',
  'params',
  'identity',
  'keys',
  'subject',
  'render',
  'dataType',
  'secretMarkers',
  'deprecated',
];

function eventTypeOf(
  problems: Problems,
  ajv: Ajv2020,
  service: string,
  event: string,
  value: unknown,
  path: DocumentPath,
): { eventType: EventType; match?: string } | undefined {
  if (!isObject(value)) return void problems.add(path, 'must be a map with description, topic and schema.');
  const before = problems.list.length;
  known(problems, value, path, EVENT_FIELDS);
  const version = value.version ?? 1;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    problems.add(
      [...path, 'version'],
      `must be a positive integer (the schema major), got ${JSON.stringify(version)}.`,
    );
  }
  const description = textField(problems, value, path, 'description', 'a sentence describing the event');
  const topic = textField(
    problems,
    value,
    path,
    'topic',
    `a topic pattern such as ${service}/{repo+}/${event}`,
  );
  let template: CompiledTopicTemplate<Record<string, string>> | undefined;
  if (topic !== undefined) {
    try {
      template = topicTemplate(topic) as CompiledTopicTemplate<Record<string, string>>;
      if (template.segments[0]?.kind !== 'fixed' || template.segments[0].value !== service) {
        problems.add([...path, 'topic'], `must start with the service name: "${service}/…", got "${topic}".`);
      }
    } catch (error) {
      problems.add([...path, 'topic'], (error as Error).message);
    }
  }
  const params = pathMap(problems, value.params, [...path, 'params']);
  for (const name of Object.keys(params ?? {})) {
    if (template !== undefined && !template.params.includes(name)) {
      problems.add(
        [...path, 'params', name],
        `is not a parameter of the topic ${topic}; use one of ${template.params.join(', ') || '(none)'}.`,
      );
    }
  }
  const keys = pathMap(problems, value.keys, [...path, 'keys'], KEY_NAME);
  const identity = value.identity;
  if (
    identity !== undefined &&
    (!Array.isArray(identity) ||
      identity.length === 0 ||
      !identity.every((p) => typeof p === 'string' && DATA_PATH.test(p)))
  ) {
    problems.add(
      [...path, 'identity'],
      'must be a non-empty list of data paths, e.g. [after, repository.id].',
    );
  }
  for (const key of ['subject', 'match', 'dataType'] as const) {
    if (value[key] !== undefined && !isText(value[key]))
      problems.add([...path, key], `must be a non-empty string, got ${JSON.stringify(value[key])}.`);
  }
  const subject = value.subject;
  if (isText(subject)) {
    const placeholders = [...subject.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!);
    if (
      subject.replace(/\{[^{}]*\}/g, '').match(/[{}]/) !== null ||
      placeholders.some((p) => !DATA_PATH.test(p))
    ) {
      problems.add(
        [...path, 'subject'],
        `must be text with {data.path} placeholders such as "{repository.full_name}/commit/{after}", got ${JSON.stringify(subject)}.`,
      );
    }
  }
  if (value.deprecated !== undefined && typeof value.deprecated !== 'boolean')
    problems.add([...path, 'deprecated'], 'must be true or false.');
  const markers = value.secretMarkers;
  if (markers !== undefined && (!Array.isArray(markers) || !markers.every(isText)))
    problems.add([...path, 'secretMarkers'], 'must be a list of property names.');
  const render = value.render;
  if (render !== undefined) {
    if (!isObject(render) || (!isText(render.summary) && !Array.isArray(render.summary))) {
      problems.add([...path, 'render'], 'must be a map with at least summary and sentence templates.');
    } else {
      known(problems, render, [...path, 'render'], ['summary', 'sentence', 'url', 'actors', 'keys']);
      try {
        compileRenderSpec(render as unknown as RenderSpec);
      } catch (error) {
        problems.add([...path, 'render'], (error as Error).message);
      }
    }
  }
  const schemaPath = [...path, 'schema'];
  const schema =
    value.schema === undefined
      ? void problems.add(schemaPath, 'is missing; give the JSON Schema of the event data.')
      : dataSchemaOf(problems, value.schema, schemaPath);
  if (schema !== undefined) {
    const invalid = schemaProblem(ajv, schema);
    if (invalid !== undefined) {
      const pointer = invalid.pointer
        .split('/')
        .slice(1)
        .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
      problems.add([...schemaPath, ...pointer], invalid.message);
    }
  }
  if (problems.list.length > before || schema === undefined || topic === undefined) return undefined;
  const declaration: EventTypeDeclaration = {
    service,
    event,
    description: description!,
    topic,
    version: version as number,
    deprecated: (value.deprecated as boolean | undefined) ?? false,
    ...(value.dataType === undefined ? {} : { dataType: value.dataType as string }),
    ...(value.subject === undefined ? {} : { subject: value.subject as string }),
    ...(identity === undefined ? {} : { identity: identity as string[] }),
    ...(params === undefined ? {} : { params }),
    ...(keys === undefined ? {} : { keys }),
    ...(render === undefined ? {} : { render: render as unknown as RenderSpec }),
    ...(markers === undefined ? {} : { secretMarkers: markers as string[] }),
  };
  let validate;
  try {
    validate = compileAjvValidator(ajv, schema, `${service}.${event} v${version as number}`);
  } catch (error) {
    return void problems.add(
      schemaPath,
      `cannot be compiled: ${(error as Error).message}; check its $ref targets.`,
    );
  }
  try {
    const eventType = buildEventType(declaration, schema, validate);
    return { eventType, ...(value.match === undefined ? {} : { match: value.match as string }) };
  } catch (error) {
    return void problems.add(path, (error as Error).message);
  }
}

function serviceOf(
  problems: Problems,
  ajv: Ajv2020,
  name: string,
  value: unknown,
  path: DocumentPath,
): ServiceDefinition | undefined {
  if (!NAME.test(name))
    problems.add(
      path,
      `"${name}" is not a service name; use lower case letters, digits and - (starting with a letter).`,
    );
  if (!isObject(value)) return void problems.add(path, 'must be a map with description, source and events.');
  known(problems, value, path, ['description', 'source', 'ingest', 'events']);
  const description = textField(problems, value, path, 'description', 'a sentence describing the service');
  const source = textField(problems, value, path, 'source', 'the absolute URI of the upstream instance');
  if (source !== undefined && !URL.canParse(source))
    problems.add(
      [...path, 'source'],
      `must be an absolute URI such as https://github.com/acme, got ${JSON.stringify(source)}.`,
    );
  const ingest = ingestOf(problems, value.ingest, [...path, 'ingest']);
  const events = value.events;
  if (!isObject(events) || Object.keys(events).length === 0)
    return void problems.add([...path, 'events'], 'must map at least one event name to its declaration.');
  const eventTypes: EventType[] = [];
  const match: Record<string, string> = {};
  for (const [event, declared] of Object.entries(events)) {
    const eventPath = [...path, 'events', event];
    if (!NAME.test(event)) {
      problems.add(
        eventPath,
        `"${event}" is not an event name; use lower case letters, digits and - (starting with a letter).`,
      );
      continue;
    }
    const versions = Array.isArray(declared)
      ? declared.map((d, i) => [d, [...eventPath, i]] as const)
      : [[declared, eventPath] as const];
    const seen = new Set<number>();
    for (const [spec, specPath] of versions) {
      const built = eventTypeOf(problems, ajv, name, event, spec, specPath);
      if (built === undefined) continue;
      if (seen.has(built.eventType.version)) {
        problems.add(
          [...specPath, 'version'],
          `${built.eventType.type} v${built.eventType.version} is declared twice; give each major one declaration.`,
        );
        continue;
      }
      seen.add(built.eventType.version);
      eventTypes.push(built.eventType);
      if (built.match !== undefined && !built.eventType.deprecated) {
        const other = match[built.match];
        if (other !== undefined && other !== built.eventType.type) {
          problems.add(
            [...specPath, 'match'],
            `"${built.match}" already selects ${other}; give each event type its own match value.`,
          );
        }
        match[built.match] = built.eventType.type;
      }
    }
  }
  if (description === undefined || source === undefined) return undefined;
  return Object.freeze({
    name,
    description,
    source,
    eventTypes: Object.freeze(eventTypes),
    ...(ingest === undefined ? {} : { ingest: Object.freeze({ ...ingest, match: Object.freeze(match) }) }),
  });
}

/** Where each event type was declared, to report a collision at the second one. */
function overlapProblems(
  problems: Problems,
  services: readonly ServiceDefinition[],
  alongside: readonly ServiceDefinition[],
  pathOf: Map<EventType, DocumentPath>,
): void {
  const all = [...alongside.flatMap((s) => s.eventTypes), ...services.flatMap((s) => s.eventTypes)];
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i]!;
      const b = all[j]!;
      if (a.type === b.type || (!pathOf.has(a) && !pathOf.has(b))) continue;
      const segments = (t: EventType) =>
        (t.template as CompiledTopicTemplate<Record<string, string>>).segments;
      if (topicsOverlap(segments(a), segments(b))) {
        const at = pathOf.get(b) ?? pathOf.get(a)!;
        problems.add(
          [...at, 'topic'],
          `overlaps ${a.type}${pathOf.has(a) ? '' : ' (built in or in another file)'}: ${a.template.pattern} and ${b.template.pattern} share topics; make one of them distinct.`,
        );
      }
    }
  }
}

/** A type's schema changed within its major in a way that breaks consumers of the running one. */
function breakingProblems(
  problems: Problems,
  services: readonly ServiceDefinition[],
  running: readonly ServiceDefinition[],
  pathOf: Map<EventType, DocumentPath>,
): void {
  const before = new Map(
    running.flatMap((s) => s.eventTypes.map((t) => [`${t.type}@${t.version}`, t] as const)),
  );
  for (const eventType of services.flatMap((s) => s.eventTypes)) {
    const previous = before.get(`${eventType.type}@${eventType.version}`);
    if (previous === undefined) continue;
    const result = checkCompatible(previous.schema, eventType.schema);
    if (result.compatible) continue;
    const majors = [...before.values(), ...services.flatMap((s) => s.eventTypes)]
      .filter((t) => t.type === eventType.type)
      .map((t) => t.version);
    problems.add(
      [...pathOf.get(eventType)!, 'schema'],
      `breaks consumers of ${eventType.type} v${eventType.version}, which is running (${result.problems.join(' ')}); keep v${eventType.version} as it is and declare the change as version ${Math.max(...majors) + 1}.`,
    );
  }
}

/**
 * Builds ordinary ServiceDefinitions from a parsed catalogue document (`firehose-catalogue: 1`):
 * every event type's JSON Schema compiled once with ajv (draft 2020-12), topics, params, keys,
 * identity, subject and render rules checked. Throws a {@link CatalogueError} listing every
 * problem (field, and file and line when `locate` knows them); nothing is half-built.
 */
export function buildSiteServices(document: unknown, options: BuildOptions = {}): ServiceDefinition[] {
  const problems = new Problems(options.locate);
  const ajv = createAjv();
  if (!isObject(document))
    throw new CatalogueError([
      {
        ...options.locate?.([]),
        field: '(top level)',
        message: `must be a map starting with ${CATALOGUE_FORMAT_KEY}: ${CATALOGUE_FORMAT_VERSION}.`,
      },
    ]);
  if (document[CATALOGUE_FORMAT_KEY] !== CATALOGUE_FORMAT_VERSION) {
    problems.add(
      [CATALOGUE_FORMAT_KEY],
      `must be ${CATALOGUE_FORMAT_VERSION} (the catalogue format version), got ${JSON.stringify(document[CATALOGUE_FORMAT_KEY])}.`,
    );
  }
  known(problems, document, [], [CATALOGUE_FORMAT_KEY, 'services']);
  const services: ServiceDefinition[] = [];
  const pathOf = new Map<EventType, DocumentPath>();
  const alongside = options.alongside ?? [];
  if (!isObject(document.services))
    problems.add(['services'], 'must map service names to their declarations.');
  else {
    for (const [name, value] of Object.entries(document.services)) {
      const path = ['services', name];
      if (alongside.some((s) => s.name === name)) {
        problems.add(
          path,
          `the service ${name} is already declared (built in, or in another catalogue file); declare it once.`,
        );
        continue;
      }
      const service = serviceOf(problems, ajv, name, value, path);
      if (service === undefined) continue;
      services.push(service);
      const events = (value as Json).events as Json;
      for (const eventType of service.eventTypes) {
        const declared = events[eventType.event];
        const index = Array.isArray(declared)
          ? declared.findIndex((d: Json) => (d.version ?? 1) === eventType.version)
          : -1;
        pathOf.set(
          eventType,
          index === -1 ? [...path, 'events', eventType.event] : [...path, 'events', eventType.event, index],
        );
      }
    }
  }
  overlapProblems(problems, services, alongside, pathOf);
  breakingProblems(problems, services, options.running ?? [], pathOf);
  if (problems.list.length > 0) throw new CatalogueError(problems.list);
  return services;
}
