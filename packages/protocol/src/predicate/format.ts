import type { Literal, PathSegment, PredicateNode } from './ast.js';

const BAREWORD = /^[A-Za-z_][A-Za-z0-9_./:@+%-]*$/;
const RESERVED = new Set(['and', 'or', 'not', 'true', 'false', 'null']);

/** Prints a syntax tree back as predicate text that parses to the same tree (fully parenthesised). */
export function formatPredicate(node: PredicateNode): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${formatPredicate(node.left)} ${node.kind} ${formatPredicate(node.right)})`;
    case 'not':
      return `not ${formatPredicate(node.operand)}`;
    case 'truthy':
      return formatPath(node.path);
    case 'compare':
      return `${formatPath(node.path)} ${node.op} ${formatLiteral(node.value)}`;
    case 'match':
      // Without flags a quoted pattern avoids escaping '/'; with flags the /…/ form is needed.
      return node.flags === ''
        ? `${formatPath(node.path)} ${node.op} ${quote(node.source)}`
        : `${formatPath(node.path)} ${node.op} /${node.source.replace(/(^|[^\\])\//g, '$1\\/')}/${node.flags}`;
  }
}

function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (segment.kind === 'key') text += text === '' ? segment.name : `.${segment.name}`;
    else if (segment.kind === 'any') text += '[]';
    else text += `[${segment.index}]`;
  }
  return text;
}

function formatLiteral(value: Literal): string {
  if (typeof value !== 'string') return String(value);
  if (BAREWORD.test(value) && !RESERVED.has(value)) return value;
  return quote(value);
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
