/** Outcome of {@link checkCompatible}: `problems` says, per JSON path, what would break consumers. */
export interface CompatibilityResult {
  compatible: boolean;
  problems: string[];
}

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) => (isSchema(v) ? sortKeys(v) : v));

function sortKeys(schema: Schema): Schema {
  const sorted: Schema = {};
  for (const key of Object.keys(schema).sort()) sorted[key] = schema[key];
  return sorted;
}

/** What a local `$ref` (`#/$defs/push.schema.json`, an RFC 6901 pointer) points at in `root`; undefined for any other. */
function resolveLocalRef(root: unknown, ref: string): unknown {
  let pointer: string;
  try {
    pointer = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  if (pointer === '') return root;
  // An anchor (`#name`) or a ref to another document is not followed.
  if (!pointer.startsWith('/')) return undefined;
  let node = root;
  for (const token of pointer.slice(1).split('/')) {
    const key = token.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isSchema(node)) node = node[key];
    else return undefined;
  }
  return node;
}

/**
 * `value` with every local `$ref` replaced by the schema it points at (its own sibling keywords
 * kept over it), so a change inside a `$ref`'d schema (a site catalogue's sibling files are bundled
 * under `$defs`) is compared like an inline one. A ref back into one being expanded stays a `$ref`.
 */
function inlineRefs(root: unknown, value: unknown, expanding: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => inlineRefs(root, item, expanding));
  if (!isSchema(value)) return value;
  const out: Schema = {};
  for (const [key, child] of Object.entries(value)) {
    // Definitions are compared where they are used, not where they are kept.
    if (key === '$ref' || key === '$defs' || key === 'definitions') out[key] = child;
    else out[key] = inlineRefs(root, child, expanding);
  }
  const ref = value.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#') || expanding.includes(ref)) return out;
  const target = resolveLocalRef(root, ref);
  if (!isSchema(target)) return out;
  const { $ref: _ref, ...siblings } = out;
  return { ...(inlineRefs(root, target, [...expanding, ref]) as Schema), ...siblings };
}

// Annotations (title, description, examples, deprecated, $id, x-*) do not change which documents
// are valid, so only validation keywords are compared.
function compare(before: Schema, after: Schema, path: string, problems: string[]): void {
  const at = path === '' ? '/' : path;
  if (canonical(before.type) !== canonical(after.type)) {
    problems.push(
      `${at}: type changed from ${canonical(before.type) ?? 'any'} to ${canonical(after.type) ?? 'any'}.`,
    );
    return;
  }
  if ('const' in before || 'const' in after) {
    if (canonical(before.const) !== canonical(after.const))
      problems.push(`${at}: constant changed from ${canonical(before.const)} to ${canonical(after.const)}.`);
  }
  if (Array.isArray(before.enum)) {
    const allowed = new Set((Array.isArray(after.enum) ? after.enum : []).map(canonical));
    for (const value of before.enum) {
      if (!allowed.has(canonical(value)))
        problems.push(`${at}: value ${canonical(value)} is no longer allowed.`);
    }
  } else if (Array.isArray(after.enum)) {
    problems.push(`${at}: values are newly restricted to ${canonical(after.enum)}.`);
  }
  for (const keyword of ['anyOf', 'oneOf', 'allOf', 'not'] as const) {
    if (canonical(before[keyword]) !== canonical(after[keyword])) {
      problems.push(
        `${at}: ${keyword === 'not' ? 'forbidden shapes changed' : `type changed (${keyword} alternatives differ)`}.`,
      );
    }
  }
  // Objects: every field stays, keeps its type, and no field becomes required or stops being required.
  const beforeProperties = isSchema(before.properties) ? before.properties : {};
  const afterProperties = isSchema(after.properties) ? after.properties : {};
  const beforeRequired = new Set(strings(before.required));
  const afterRequired = new Set(strings(after.required));
  for (const [name, schema] of Object.entries(beforeProperties)) {
    const next = afterProperties[name];
    const child = `${path}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (!isSchema(next)) problems.push(`${child}: field was removed.`);
    else if (isSchema(schema)) compare(schema, next, child, problems);
  }
  for (const name of afterRequired) {
    if (beforeRequired.has(name)) continue;
    problems.push(
      `${path}/${name}: ${name in beforeProperties ? 'optional field became required' : 'required field was added'}.`,
    );
  }
  for (const name of beforeRequired) {
    if (!afterRequired.has(name)) problems.push(`${path}/${name}: required field became optional.`);
  }
  if (before.additionalProperties !== false && after.additionalProperties === false) {
    problems.push(`${at}: unknown fields are no longer allowed.`);
  }
  if (isSchema(before.items) && isSchema(after.items))
    compare(before.items, after.items, `${path}/items`, problems);
  else if (canonical(before.items) !== canonical(after.items))
    problems.push(`${path}/items: item type changed.`);
  // Tightened constraints reject documents that were valid before.
  for (const keyword of ['minimum', 'minLength', 'minItems', 'exclusiveMinimum'] as const) {
    const old = before[keyword];
    const next = after[keyword];
    if (typeof next === 'number' && (typeof old !== 'number' || next > old))
      problems.push(`${at}: ${keyword} tightened to ${next}.`);
  }
  for (const keyword of ['maximum', 'maxLength', 'maxItems', 'exclusiveMaximum'] as const) {
    const old = before[keyword];
    const next = after[keyword];
    if (typeof next === 'number' && (typeof old !== 'number' || next < old))
      problems.push(`${at}: ${keyword} tightened to ${next}.`);
  }
  for (const keyword of Object.keys(after)) {
    if (keyword === 'pattern' || keyword === 'format') {
      if (after[keyword] !== before[keyword])
        problems.push(`${at}: ${keyword} changed to ${canonical(after[keyword])}.`);
    }
  }
}

/**
 * Whether `next` may replace `previous` within one schema major (docs/architecture.md#messages,
 * Fedora's rule): only optional fields may be added. Removing a field, changing a type, adding a
 * required field, or tightening a constraint is a breaking change and needs a new major.
 */
export function checkCompatible(previous: object, next: object): CompatibilityResult {
  const problems: string[] = [];
  compare(inlineRefs(previous, previous, []) as Schema, inlineRefs(next, next, []) as Schema, '', problems);
  return { compatible: problems.length === 0, problems };
}
