/** One difference between two JSON values, at a JSONPath-like location (`$.buildset.builds[2].result`). */
export interface JsonChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/**
 * What changed from `before` to `after`, leaf by leaf (added, removed and changed values), at most
 * `limit` entries. Arrays of objects with a `job_name` or `name` are matched by that name, so a
 * reordered job list diffs by job, not by position.
 */
export function jsonDiff(before: unknown, after: unknown, limit = 40): JsonChange[] {
  const changes: JsonChange[] = [];
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (changes.length >= limit) return;
    if (isObject(a) && isObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
        walk(a[key], b[key], `${path}.${key}`);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      const named = (list: unknown[]) =>
        list.every((entry) => isObject(entry) && typeof (entry.job_name ?? entry.name) === 'string');
      if (named(a) && named(b)) {
        const byName = (list: unknown[]) =>
          new Map(
            list.map((entry) => [
              String((entry as Record<string, unknown>).job_name ?? (entry as Record<string, unknown>).name),
              entry,
            ]),
          );
        const left = byName(a);
        const right = byName(b);
        for (const name of new Set([...left.keys(), ...right.keys()]))
          walk(left.get(name), right.get(name), `${path}[${name}]`);
        return;
      }
      for (let index = 0; index < Math.max(a.length, b.length); index += 1)
        walk(a[index], b[index], `${path}[${index}]`);
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) changes.push({ path, before: a, after: b });
  };
  walk(before, after, '$');
  return changes;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
