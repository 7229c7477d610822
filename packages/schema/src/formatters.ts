/** A named formatter of the render templates: turns a value into text, `''` when there is nothing to show. */
export type Formatter = (value: unknown) => string;

const text = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';

function field(value: unknown, key: string): string {
  return value !== null && typeof value === 'object' ? text((value as Record<string, unknown>)[key]) : '';
}

/** `Code-Review+2`: Gerrit sends votes as strings; positive ones get a sign. */
function vote(approval: unknown): string {
  const label = field(approval, 'type');
  const value = field(approval, 'value');
  if (label === '' || value === '') return '';
  return `${label}${value.startsWith('-') || value.startsWith('+') ? value : `+${value}`}`;
}

/**
 * The votes a comment changed. Gerrit marks them with `oldValue`; older releases send no
 * `oldValue` at all, and then every non-zero vote is shown.
 */
function votes(value: unknown): string {
  if (!Array.isArray(value)) return '';
  const marked = value.some((a) => a !== null && typeof a === 'object' && 'oldValue' in a);
  return value
    .filter((a) =>
      marked
        ? field(a, 'oldValue') !== '' && field(a, 'oldValue') !== field(a, 'value')
        : !/^[-+]?0$/.test(field(a, 'value')),
    )
    .map(vote)
    .filter((v) => v !== '')
    .join(', ');
}

/** Zuul build results: ` (1 of 2 builds failed: nova-live-migration)` or ` (2 builds succeeded)`. */
function results(value: unknown): string {
  if (!Array.isArray(value)) return '';
  const done = value.filter((b) => field(b, 'result') !== '');
  if (done.length === 0) return '';
  const failed = done.filter((b) => field(b, 'result') !== 'SUCCESS');
  if (failed.length === 0) return ` (${done.length} builds succeeded)`;
  return ` (${failed.length} of ${done.length} builds failed: ${failed.map((b) => field(b, 'job_name')).join(', ')})`;
}

/** Formatters available as `{path|name}` in render templates. */
export const formatters: Readonly<Record<string, Formatter>> = Object.freeze({
  /**
   * A person's display name: name, else username, else `unknown`; never the email address (a
   * summary's reader did not choose to read it). Nothing for an absent person, so a template
   * falls back to the next one.
   */
  account: (value) =>
    value !== null && typeof value === 'object'
      ? field(value, 'name') || field(value, 'username') || 'unknown'
      : '',
  /** A person's handle: username, else name; never the email address (nothing when neither is set). */
  user: (value) => field(value, 'username') || field(value, 'name'),
  votes,
  results,
  /** First 7 characters, for commit ids. */
  short: (value) => text(value).slice(0, 7),
  /** Comma-separated list. */
  list: (value) =>
    Array.isArray(value)
      ? value
          .map(text)
          .filter((v) => v !== '')
          .join(', ')
      : '',
  /** Number of items. */
  count: (value) => (Array.isArray(value) ? String(value.length) : ''),
  text,
});
