/** A dotted path into JSON data, e.g. `change.owner.name`; numeric segments index arrays. */
export type DataPath = string;

/** Reads a dotted path; `undefined` when any step is missing. Never throws. */
export function readPath(root: unknown, path: DataPath): unknown {
  let current = root;
  let start = 0;
  // Walks the string without split() so render and identity stay allocation-light.
  while (start <= path.length) {
    let end = path.indexOf('.', start);
    if (end === -1) end = path.length;
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[path.slice(start, end)];
    start = end + 1;
  }
  return current;
}

/** A data path split once into its keys, for hot paths that read it per message. */
export function compilePath(path: DataPath): readonly string[] {
  return path.split('.');
}

/** Reads pre-split keys; `undefined` when any step is missing. Never throws, allocates nothing. */
export function readKeys(root: unknown, keys: readonly string[]): unknown {
  let current = root;
  for (let i = 0; i < keys.length; i++) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[keys[i]!];
  }
  return current;
}
