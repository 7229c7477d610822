import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { ServiceDefinition } from '../service-definition.js';
import { catalogueFromAsyncApi, isAsyncApiDocument } from '../site/asyncapi-catalogue.js';
import { buildSiteServices } from '../site/build-site-services.js';
import {
  CatalogueError,
  fieldName,
  type CatalogueProblem,
  type DocumentPath,
} from '../site/catalogue-problem.js';
import { bundleSchemaRefs, type BundledFile } from './bundle-schema-refs.js';
import { parseLocated, type LocatedDocument } from './yaml-locator.js';

/** Options of {@link loadCatalogueFiles}. */
export interface LoadOptions {
  /**
   * Services the files run beside (usually the built-in ones, `services` of `@firehose/schema`):
   * a file may not declare one of their names or a topic that overlaps one of theirs.
   * @default [] (the files are the whole catalogue)
   */
  alongside?: readonly ServiceDefinition[];
  /**
   * The services running now, when the files replace them (a reload, `firehose schema check
   * --against`): a schema change within a running major that breaks its consumers
   * (`checkCompatible`) is a problem at that schema's line. @default [] (no check)
   */
  running?: readonly ServiceDefinition[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** How a file is named in problems: relative to the working directory when it is below it. */
function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/** Every `schema` of a parsed catalogue, with its document path (`services.x.events.y[1].schema`). */
function schemaPaths(document: unknown): DocumentPath[] {
  const out: DocumentPath[] = [];
  if (!isObject(document) || !isObject(document.services)) return out;
  for (const [service, spec] of Object.entries(document.services)) {
    if (!isObject(spec) || !isObject(spec.events)) continue;
    for (const [event, declared] of Object.entries(spec.events)) {
      const base = ['services', service, 'events', event];
      const versions = Array.isArray(declared)
        ? declared.map((d, i) => [d, [...base, i]] as const)
        : [[declared, base] as const];
      for (const [version, path] of versions) {
        if (isObject(version) && isObject(version.schema)) out.push([...path, 'schema']);
      }
    }
  }
  return out;
}

const sameStart = (path: DocumentPath, prefix: DocumentPath): boolean =>
  prefix.length <= path.length && prefix.every((part, i) => path[i] === part);

/** One catalogue file: read, parsed, `$ref`s bundled; or the problems that stopped it. */
async function readCatalogueFile(
  file: string,
  cache: Map<string, LocatedDocument | string>,
): Promise<
  { document: unknown; locate: (path: DocumentPath) => { file: string; line?: number } } | CatalogueProblem[]
> {
  const shown = displayName(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return [
      {
        file: shown,
        field: '(file)',
        message: `cannot be read (${code}); name an existing YAML or JSON catalogue file.`,
      },
    ];
  }
  const parsed = parseLocated(text, { json: file.toLowerCase().endsWith('.json') });
  if (!('value' in parsed)) {
    return [
      {
        file: shown,
        ...(parsed.line === undefined ? {} : { line: parsed.line }),
        field: '(syntax)',
        message: `is not valid YAML or JSON: ${parsed.message}.`,
      },
    ];
  }
  let document = structuredClone(parsed.value);
  // An AsyncAPI 3.0 document with x-firehose-* extensions declares the same catalogue; problems
  // name the catalogue field and the line of the AsyncAPI field it came from.
  let lineOf = (path: DocumentPath): number | undefined => parsed.line(path);
  if (isAsyncApiDocument(document)) {
    const converted = catalogueFromAsyncApi(document);
    if ('problems' in converted) {
      return converted.problems.map((problem) => {
        const line = parsed.line(problem.path);
        return {
          file: shown,
          ...(line === undefined ? {} : { line }),
          field: fieldName(problem.path),
          message: problem.message,
        };
      });
    }
    document = converted.document;
    lineOf = (path) => parsed.line(converted.pathOf(path));
  }
  const bundles: { path: DocumentPath; files: Map<string, BundledFile> }[] = [];
  const problems: CatalogueProblem[] = [];
  for (const path of schemaPaths(document)) {
    let holder = document as Json;
    for (const part of path.slice(0, -1)) holder = holder[part] as Json;
    const bundled = await bundleSchemaRefs(holder.schema, file, cache);
    holder.schema = bundled.schema;
    bundles.push({ path, files: bundled.files });
    for (const problem of bundled.problems) {
      const inCatalogue = problem.file === file;
      const full = inCatalogue ? [...path, ...problem.path] : problem.path;
      const where = cache.get(problem.file);
      const line = inCatalogue ? lineOf(full) : typeof where === 'object' ? where.line(full) : undefined;
      problems.push({
        file: displayName(problem.file),
        ...(line === undefined ? {} : { line }),
        field: inCatalogue ? fieldName(full) : `${fieldName(path)} → ${fieldName(problem.path)}`,
        message: problem.message,
      });
    }
  }
  if (problems.length > 0) return problems;
  // A problem inside a schema pulled in by `$ref` (now at `schema.$defs.<file name>`) is reported
  // at its line in that file.
  const locate = (path: DocumentPath): { file: string; line?: number } => {
    for (const bundle of bundles) {
      if (!sameStart(path, bundle.path) || path[bundle.path.length] !== '$defs') continue;
      const pulled = bundle.files.get(String(path[bundle.path.length + 1]));
      if (pulled === undefined) continue;
      const line = pulled.document.line(path.slice(bundle.path.length + 2));
      return { file: displayName(pulled.file), ...(line === undefined ? {} : { line }) };
    }
    const line = lineOf(path);
    return { file: shown, ...(line === undefined ? {} : { line }) };
  };
  return { document, locate };
}

/**
 * Loads site catalogue files (YAML or JSON, `firehose-catalogue: 1`) into ordinary
 * ServiceDefinitions: the same event types the built-in services are, each JSON Schema (draft
 * 2020-12, `$ref` to sibling files allowed) compiled once by ajv. Files are read in order; a later
 * file may not redeclare a service or overlap a topic of an earlier one (or of `alongside`).
 *
 * Throws a {@link CatalogueError} listing every problem in every file, each with its file, line
 * and field; nothing is half-loaded.
 */
export async function loadCatalogueFiles(
  paths: readonly string[],
  options: LoadOptions = {},
): Promise<ServiceDefinition[]> {
  const cache = new Map<string, LocatedDocument | string>();
  const problems: CatalogueProblem[] = [];
  const services: ServiceDefinition[] = [];
  const alongside = options.alongside ?? [];
  for (const path of paths) {
    const read = await readCatalogueFile(resolve(path), cache);
    if (Array.isArray(read)) {
      problems.push(...read);
      continue;
    }
    try {
      services.push(
        ...buildSiteServices(read.document, {
          locate: read.locate,
          alongside: [...alongside, ...services],
          ...(options.running === undefined ? {} : { running: options.running }),
        }),
      );
    } catch (error) {
      if (!(error instanceof CatalogueError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new CatalogueError(problems);
  return services;
}
