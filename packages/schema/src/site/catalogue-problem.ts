import { FirehoseError } from '@firehose/protocol';

/** A path into a parsed catalogue document: `['services', 'github', 'events', 'push', 'topic']`. */
export type DocumentPath = readonly (string | number)[];

/** One thing wrong with a catalogue: where (file, line, field) and a sentence saying what to do. */
export interface CatalogueProblem {
  /** The file it is in, when it came from a file. */
  readonly file?: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** Dotted field path: `services.github.events.push.topic`. */
  readonly field: string;
  readonly message: string;
}

/** `services.github.events.push[1].schema`: the way people name a field of a catalogue file. */
export function fieldName(path: DocumentPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(top level)' : out;
}

/** `catalogue.yaml:12: services.github.events.push.topic: …`. */
export function formatProblem(problem: CatalogueProblem): string {
  const where =
    problem.file === undefined
      ? ''
      : `${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}: `;
  return `${where}${problem.field}: ${problem.message}`;
}

/**
 * A catalogue refused whole: `problems` lists every problem found, the message lists them one
 * a line. Code `INVALID_CATALOGUE`.
 */
export class CatalogueError extends FirehoseError {
  readonly problems: readonly CatalogueProblem[];

  constructor(problems: readonly CatalogueProblem[], options: { cause?: unknown } = {}) {
    const lines = problems.map(formatProblem);
    const message =
      lines.length === 1
        ? `The catalogue is refused: ${lines[0]}`
        : `The catalogue is refused (${lines.length} problems):\n  ${lines.join('\n  ')}`;
    super('INVALID_CATALOGUE', message, { ...options, path: problems[0]?.field ?? '' });
    this.problems = problems;
  }
}

/** True when `error` is a {@link CatalogueError}. */
export function isCatalogueError(error: unknown): error is CatalogueError {
  return error instanceof CatalogueError;
}
