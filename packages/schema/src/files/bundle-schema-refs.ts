import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { DocumentPath } from '../site/catalogue-problem.js';
import { parseLocated, type LocatedDocument } from './yaml-locator.js';

/** A schema file pulled in by `$ref`, and where it was placed in the bundled schema. */
export interface BundledFile {
  readonly file: string;
  readonly document: LocatedDocument;
}

/** A `$ref` that could not be followed: at which path of which file, and why. */
export interface RefProblem {
  readonly file: string;
  readonly path: DocumentPath;
  readonly message: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** `$defs` name of a bundled file: readable and unique (`push.schema.json`, `push.schema.json~2`). */
const defName = (file: string, taken: ReadonlySet<string>): string => {
  const base = file.slice(file.lastIndexOf('/') + 1);
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}~${n}`;
  return name;
};

/**
 * Makes a schema self-contained: every `$ref` to another file (`./push.schema.json`,
 * `common.yaml#/$defs/repo`, relative to the file that holds it) is read once and placed under the
 * root's `$defs`, and the `$ref` rewritten to point there. Local refs inside a pulled-in file are
 * rewritten to stay inside it. The result compiles in one ajv and exports as one document.
 */
export async function bundleSchemaRefs(
  schema: unknown,
  file: string,
  cache: Map<string, LocatedDocument | string>,
): Promise<{ schema: unknown; files: Map<string, BundledFile>; problems: RefProblem[] }> {
  const files = new Map<string, BundledFile>();
  const byPath = new Map<string, string>();
  const problems: RefProblem[] = [];
  const defs: Json = {};

  const load = async (target: string): Promise<LocatedDocument | string> => {
    let loaded = cache.get(target);
    if (loaded === undefined) {
      try {
        const parsed = parseLocated(await readFile(target, 'utf8'), {
          json: target.toLowerCase().endsWith('.json'),
        });
        loaded =
          'value' in parsed
            ? parsed
            : `is not valid YAML or JSON (line ${parsed.line ?? '?'}: ${parsed.message})`;
      } catch (error) {
        loaded = `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      }
      cache.set(target, loaded);
    }
    return loaded;
  };

  // `prefix` is where the current file's root now sits (`#` for the catalogue's inline schema).
  const walk = async (value: unknown, here: string, prefix: string, path: DocumentPath): Promise<unknown> => {
    if (Array.isArray(value))
      return Promise.all(value.map((item, i) => walk(item, here, prefix, [...path, i])));
    if (!isObject(value)) return value;
    const out: Json = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string')
        out.$ref = await ref(child, here, prefix, [...path, key]);
      else out[key] = await walk(child, here, prefix, [...path, key]);
    }
    return out;
  };

  const ref = async (target: string, here: string, prefix: string, path: DocumentPath): Promise<string> => {
    const hash = target.indexOf('#');
    const location = hash === -1 ? target : target.slice(0, hash);
    const fragment = hash === -1 ? '' : target.slice(hash + 1);
    if (location === '') return `${prefix}${fragment}`;
    if (/^[a-z][a-z0-9+.-]*:/i.test(location)) {
      problems.push({
        file: here,
        path,
        message: `refers to ${location}; only files next to the catalogue can be referenced (no network).`,
      });
      return target;
    }
    const absolute = resolve(dirname(here), location);
    let name = byPath.get(absolute);
    if (name === undefined) {
      const loaded = await load(absolute);
      if (typeof loaded === 'string') {
        problems.push({ file: here, path, message: `refers to ${location}, which ${loaded}.` });
        return target;
      }
      name = defName(absolute, new Set(byPath.values()));
      byPath.set(absolute, name);
      files.set(name, { file: absolute, document: loaded });
      const { $schema: _dialect, $id: _id, ...body } = isObject(loaded.value) ? loaded.value : {};
      defs[name] = await walk(
        body,
        absolute,
        `#/$defs/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`,
        [],
      );
    }
    return `#/$defs/${name.replaceAll('~', '~0').replaceAll('/', '~1')}${fragment}`;
  };

  const bundled = await walk(schema, file, '#', []);
  if (Object.keys(defs).length === 0 || !isObject(bundled)) return { schema: bundled, files, problems };
  return {
    schema: { ...bundled, $defs: { ...(isObject(bundled.$defs) ? bundled.$defs : {}), ...defs } },
    files,
    problems,
  };
}
