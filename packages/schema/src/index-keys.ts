import { FirehoseError } from '@firehose/protocol';
import type { DataPath } from './data-path.js';

/**
 * Query parameter names of the history API (`GET /v1/events`, `GET /v1/stream`). A declared
 * search key becomes a query parameter of the same name, so it may not take one of these.
 */
export const RESERVED_KEY_NAMES: readonly string[] = Object.freeze([
  'service',
  'type',
  'topic',
  'from',
  'to',
  'where',
  'order',
  'limit',
  'cursor',
  'since',
  'id',
]);

const KEY_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Checks declared search keys (`keys` of an event type) and returns a frozen copy. Throws
 * `INVALID_PARAMS` naming the key when a name is not lower-case words or is a reserved query word,
 * or when its data path is empty.
 */
export function checkIndexKeys(
  type: string,
  keys: { readonly [name: string]: DataPath } | undefined,
): Readonly<Record<string, DataPath>> {
  const checked: Record<string, DataPath> = {};
  for (const [name, path] of Object.entries(keys ?? {})) {
    if (!KEY_NAME.test(name)) {
      throw new FirehoseError(
        'INVALID_PARAMS',
        `The ${type} search key "${name}" is not a valid name; use lower-case letters, digits and _ starting with a letter.`,
        { path: `keys.${name}` },
      );
    }
    if (RESERVED_KEY_NAMES.includes(name)) {
      throw new FirehoseError(
        'INVALID_PARAMS',
        `The ${type} search key "${name}" is a reserved history query word (${RESERVED_KEY_NAMES.join(', ')}); choose another name.`,
        { path: `keys.${name}` },
      );
    }
    if (typeof path !== 'string' || path === '') {
      throw new FirehoseError(
        'INVALID_PARAMS',
        `The ${type} search key "${name}" needs a data path such as change.project.`,
        {
          path: `keys.${name}`,
        },
      );
    }
    checked[name] = path;
  }
  return Object.freeze(checked);
}
