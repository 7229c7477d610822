import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { DocumentPath } from '../site/catalogue-problem.js';

/** A parsed YAML or JSON file that can say on which line each field is. */
export interface LocatedDocument {
  readonly value: unknown;
  /** 1-based line of the field at `path` (its key), or of the closest enclosing field found. */
  line(path: DocumentPath): number | undefined;
}

/** A syntax error: the line and the parser's reason. */
export interface SyntaxProblem {
  readonly line: number | undefined;
  readonly message: string;
}

function lineOf(document: Document, counter: LineCounter, path: DocumentPath): number | undefined {
  let node: unknown = document.contents;
  let line: number | undefined =
    node && (node as Node).range ? counter.linePos((node as Node).range![0]).line : undefined;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === part);
      if (pair === undefined) return line;
      const key = pair.key as Node | null;
      if (key?.range) line = counter.linePos(key.range[0]).line;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
      const range = (node as Node | undefined)?.range;
      if (range) line = counter.linePos(range[0]).line;
    } else return line;
  }
  return line;
}

/**
 * The first JSON syntax error and its line. Node 20's JSON.parse names no position for most
 * errors, so the position is found as the shortest prefix that fails other than by ending early.
 */
function jsonProblem(text: string): SyntaxProblem | undefined {
  const failure = (end: number): string | undefined => {
    try {
      JSON.parse(text.slice(0, end));
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  };
  const whole = failure(text.length);
  if (whole === undefined) return undefined;
  let low = 1;
  let high = text.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    const message = failure(mid);
    // A prefix that merely stops early fails at its own end (`… at position <mid>`, `end of JSON input`).
    const early =
      message !== undefined &&
      (/end of (JSON )?input/i.test(message) || message.includes(`at position ${mid}`));
    if (message !== undefined && !early) high = mid;
    else low = mid + 1;
  }
  const line = text.slice(0, low).split('\n').length;
  return { line, message: whole.split('\n')[0]!.replace(/, "[^]*$/, '') };
}

/**
 * Parses YAML (JSON is YAML too, so one parser gives both their line numbers). Returns the value
 * and a line finder, or the first syntax error with its line. With `json`, the text must also be
 * strict JSON (YAML would accept `"a": ,`).
 */
export function parseLocated(
  text: string,
  options: { json?: boolean } = {},
): LocatedDocument | SyntaxProblem {
  if (options.json === true) {
    const problem = jsonProblem(text);
    if (problem !== undefined) return problem;
  }
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const error = document.errors[0];
  if (error !== undefined) {
    const line = error.linePos?.[0].line ?? counter.linePos(error.pos[0]).line;
    return { line, message: `${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` };
  }
  return {
    value: document.toJS({ maxAliasCount: 100 }) as unknown,
    line: (path) => lineOf(document, counter, path),
  };
}
