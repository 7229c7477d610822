import { compileTemplate, type CompiledTemplate } from './template.js';

/**
 * How an event type is shown, as data: the CLI, the dashboard and any SDK render the same text.
 *
 * Templates use `{path}` placeholders over the whole envelope (`{data.change.project}`,
 * `{subject}`), optionally piped through a named formatter: `{data.author|account}`,
 * `{data.approvals|votes}`, `{data.patchSet.revision|short}`. Where a field is given as a
 * list, the first template whose placeholders all resolve to non-empty text wins.
 */
export interface RenderSpec {
  /** One line: what happened, where. */
  readonly summary: string | readonly string[];
  /** One sentence, subject first. */
  readonly sentence: string | readonly string[];
  /** Link to the thing the event is about. */
  readonly url?: string | readonly string[];
  /** Usernames/names of the people or systems acting; empty results are skipped. */
  readonly actors?: readonly string[];
  /** Correlation keys: `project`, `change`, `build`, ... */
  readonly keys?: Readonly<Record<string, string>>;
}

/** @internal Render rules with every template compiled. */
export interface CompiledRenderSpec {
  summary: CompiledTemplate[];
  sentence: CompiledTemplate[];
  url: CompiledTemplate[];
  actors: CompiledTemplate[];
  keys: [string, CompiledTemplate][];
}

const many = (value: string | readonly string[] | undefined): CompiledTemplate[] =>
  (value === undefined ? [] : typeof value === 'string' ? [value] : value).map(compileTemplate);

/** Compiles render rules; throws a FirehoseError for an unknown formatter, so mistakes surface at declaration. */
export function compileRenderSpec(spec: RenderSpec): CompiledRenderSpec {
  return {
    summary: many(spec.summary),
    sentence: many(spec.sentence),
    url: many(spec.url),
    actors: many(spec.actors),
    keys: Object.entries(spec.keys ?? {}).map(([key, template]) => [key, compileTemplate(template)]),
  };
}
