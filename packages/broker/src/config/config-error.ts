import { FirehoseError } from '@firehose/protocol';

/** One thing wrong with a config: the key (or env var / flag) and a sentence fragment about it. */
export interface ConfigProblem {
  /** Key path (`listeners.mqtt.port`), env var or flag the problem is about. */
  path: string;
  /** Full description, starting with the path: `listeners.mqtt.port must be an integer 0–65535, got "abc"`. */
  message: string;
}

/**
 * One FirehoseError (code INVALID_CONFIG) for every problem found, so an operator fixes them all in
 * one round. `source` says where the values came from (a file name, "environment", "flags").
 */
export function configError(problems: readonly ConfigProblem[], source?: string): FirehoseError {
  const where = source === undefined ? '' : ` in ${source}`;
  const first = problems[0];
  const message =
    problems.length === 1 && first !== undefined
      ? `Invalid broker config${where}: ${first.message}.`
      : `Invalid broker config${where} (${problems.length} problems): ${problems.map((p) => p.message).join('; ')}.`;
  return new FirehoseError('INVALID_CONFIG', message, { path: first?.path });
}

/** Short, safe rendering of a bad value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `a list (${truncate(JSON.stringify(value))})`;
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol')
    return `a ${typeof value}`;
  return truncate(JSON.stringify(value));
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
