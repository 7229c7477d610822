/** RFC 6901 pointer of `path` as a `$ref` fragment: `#/components/schemas/github_push_v1`. */
export function pointerRef(path: readonly (string | number)[]): string {
  return `#${path.map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')}`;
}

// Keywords whose values are data, not schemas: a `$ref` key in them is no reference.
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);

/**
 * `schema` with every local `$ref` that points at `from` or below it rewritten to point at `to`
 * instead (`#/$defs/x` → `#/components/schemas/id/$defs/x` and back): what a schema moved inside
 * another document needs, since its `#…` refs resolve against the document's root, not the schema's.
 */
export function rebaseRefs(schema: unknown, from: string, to: string): unknown {
  if (Array.isArray(schema)) return schema.map((item) => rebaseRefs(item, from, to));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string') {
      const rest = value.slice(from.length);
      // A pointer at or below `from` only: `#anchor` and `#/…/id2` (for `#/…/id`) stay as they are.
      out[key] = value.startsWith(from) && (rest === '' || rest.startsWith('/')) ? `${to}${rest}` : value;
    } else out[key] = DATA_KEYWORDS.has(key) ? value : rebaseRefs(value, from, to);
  }
  return out;
}
