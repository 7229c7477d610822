import { UsageError } from '../usage-error.js';
import type { RecordView } from './record-view.js';

/** Field names a template may use besides `data.…`, `params.…` and envelope attributes. */
const TEMPLATE_FIELDS: Readonly<Record<string, string>> = {
  topic: 'the MQTT topic',
  service: 'first topic level (the publishing service)',
  time: "the event's time, RFC 3339 UTC (2026-11-25T12:00:00.000Z)",
  received_at: 'when tail received it, RFC 3339 UTC',
  summary: "the schema's one-line summary",
  sentence: "the schema's English sentence (what --format terse prints)",
  url: 'link to the upstream object (change, build), when the schema knows one',
  type: 'CloudEvents type, e.g. gerrit.comment-added',
  id: 'event id',
  source: 'upstream instance URI',
  subject: 'envelope subject, e.g. openstack/nova/change/912345',
  json: 'the whole envelope as one line of JSON',
  payload: 'the payload exactly as received',
  cursor: 'the archive cursor (history, tail --since); empty for a live MQTT event',
};

const ENVELOPE_ATTRIBUTES = new Set(['specversion', 'datacontenttype', 'dataschema', 'data']);

export const TEMPLATE_HELP = `Templates (--format '…' with a '{'): fields in braces, everything else literal.
  {topic} {service} {time} {received_at} {summary} {sentence} {url} {type} {id} {source} {subject} {json} {payload} {cursor}
  {data.change.number}  a path into the event's data ('.' between names, [N] for an array element)
  {params.project}      a topic parameter parsed by the schema
  {{ and }} are literal braces; \\n and \\t are a newline and a tab; each record ends with a newline.
  A missing field prints nothing; an object or array prints as compact JSON.
  e.g. --format '{time} {service} {data.change.number} {summary}'`;

type Part = string | ((view: RecordView) => string);

/**
 * Compiles a `--format` template into a function. Unknown field names are rejected up front
 * (exit 2), so a typo does not silently print empty columns for hours.
 */
export function compileTemplate(source: string): (view: RecordView) => string {
  const parts: Part[] = [];
  let literal = '';
  let index = 0;
  while (index < source.length) {
    const char = source[index] ?? '';
    const next = source[index + 1];
    if ((char === '{' && next === '{') || (char === '}' && next === '}')) {
      literal += char;
      index += 2;
    } else if (char === '\\' && (next === 'n' || next === 't' || next === '\\')) {
      literal += next === 'n' ? '\n' : next === 't' ? '\t' : '\\';
      index += 2;
    } else if (char === '{') {
      const end = source.indexOf('}', index);
      if (end === -1)
        throw new UsageError(
          `--format: '{' at column ${index + 1} is never closed; write {{ for a literal brace.`,
        );
      if (literal !== '') parts.push(literal);
      literal = '';
      parts.push(field(source.slice(index + 1, end).trim(), index + 1));
      index = end + 1;
    } else if (char === '}') {
      throw new UsageError(`--format: '}' at column ${index + 1} has no '{'; write }} for a literal brace.`);
    } else {
      literal += char;
      index += 1;
    }
  }
  if (literal !== '') parts.push(literal);
  return (view) => {
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : part(view);
    return `${out}\n`;
  };
}

function field(name: string, column: number): (view: RecordView) => string {
  if (name in TEMPLATE_FIELDS) return (view) => text(view.field(name));
  const path = parsePath(name, column);
  const root = path[0];
  if (root === 'params' || (typeof root === 'string' && ENVELOPE_ATTRIBUTES.has(root))) {
    return (view) => text(lookup(root === 'params' ? view.params : view.envelope, path));
  }
  throw new UsageError(
    `--format: unknown field '{${name}}' at column ${column}; use ${Object.keys(TEMPLATE_FIELDS)
      .map((known) => `{${known}}`)
      .join(' ')}, {data.…} or {params.…}.`,
  );
}

function parsePath(name: string, column: number): (string | number)[] {
  const path: (string | number)[] = [];
  const pattern = /([^.[\]]+)|\[(\d+)\]|(\.)/gy;
  let match: RegExpExecArray | null;
  let expectName = true;
  while ((match = pattern.exec(name)) !== null) {
    if (match[1] !== undefined) {
      if (!expectName) break;
      path.push(match[1]);
      expectName = false;
    } else if (match[2] !== undefined) {
      path.push(Number(match[2]));
    } else {
      expectName = true;
    }
    if (pattern.lastIndex === name.length && !expectName) return path;
  }
  throw new UsageError(
    `--format: '{${name}}' at column ${column} is not a field or a path like data.change.number.`,
  );
}

function lookup(root: unknown, path: readonly (string | number)[]): unknown {
  // The path's first element names the root itself (`params`, `data`); `data` lives in the envelope.
  let value: unknown =
    path[0] === 'params' ? root : (root as Record<string, unknown> | undefined)?.[path[0] ?? ''];
  for (const key of path.slice(1)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value);
}
