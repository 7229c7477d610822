import { FirehoseError } from '@firehose/protocol';
import { readPath } from './data-path.js';
import { formatters, type Formatter } from './formatters.js';

type Part = string | { readonly path: string; readonly format: Formatter };

/** A compiled render template: `{path}` or `{path|formatter}` placeholders between literal text. */
export type CompiledTemplate = readonly Part[];

const PLACEHOLDER = /\{([^{}|]+)(?:\|([a-z]+))?\}/g;

/** Compiles a template; throws a FirehoseError `INVALID_PARAMS` for an unknown formatter. */
export function compileTemplate(template: string): CompiledTemplate {
  const parts: Part[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push(template.slice(last, match.index));
    const name = match[2] ?? 'text';
    const format = formatters[name];
    if (format === undefined) {
      throw new FirehoseError(
        'INVALID_PARAMS',
        `The render template "${template}" uses the unknown formatter "${name}"; use one of ${Object.keys(formatters).join(', ')}.`,
      );
    }
    parts.push({ path: match[1]!.trim(), format });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

/** Renders a compiled template over `root`; `undefined` when any placeholder comes out empty. */
export function renderTemplate(template: CompiledTemplate, root: unknown): string | undefined {
  let out = '';
  for (const part of template) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = part.format(readPath(root, part.path));
    if (value === '') return undefined;
    out += value;
  }
  return out;
}

/** The first of several templates that renders completely. */
export function renderFirst(templates: readonly CompiledTemplate[], root: unknown): string | undefined {
  for (const template of templates) {
    const text = renderTemplate(template, root);
    if (text !== undefined) return text;
  }
  return undefined;
}
