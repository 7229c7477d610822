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
  let line: number | undefined = node && (node as Node).range ? counter.linePos((node as Node).range![0]).line : undefined;
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
 * Parses YAML (JSON is YAML too, so one parser gives both their line numbers). Returns the value
 * and a line finder, or the first syntax error with its line.
 */
export function parseLocated(text: string): LocatedDocument | SyntaxProblem {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const error = document.errors[0];
  if (error !== undefined) {
    const line = error.linePos?.[0].line ?? counter.linePos(error.pos[0]).line;
    return { line, message: `${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` };
  }
  return { value: document.toJS({ maxAliasCount: 100 }) as unknown, line: (path) => lineOf(document, counter, path) };
}
