import { UsageError } from '../usage-error.js';
import type { Palette } from './colour.js';
import { displayWidth, excerptToWidth, fitWidth } from './fit-width.js';
import { RecordView } from './record-view.js';
import { isFailure, type TailRecord } from './tail-record.js';
import { compileTemplate } from './template.js';

export interface FormatterOptions {
  readonly palette: Palette;
  /** `--raw`: print payload bytes exactly as received instead of the parsed envelope. */
  readonly raw: boolean;
  /** Pretty mode's data excerpt limit in bytes; 0 = never truncate. */
  readonly maxBytes: number;
  /**
   * Width to fit pretty's lines to (ellipsis); undefined: lines are whole and the excerpt is cut at
   * `maxBytes`. @default undefined
   */
  readonly columns?: number | undefined;
}

/** Turns one record into the text to write (always ending in a newline). */
export type Formatter = (record: TailRecord) => string;

/**
 * Builds the formatter for `--format`: a named format or, when the value contains `{`, a template.
 * ndjson and json never colour and never truncate: they are for programs.
 */
export function createFormatter(format: string, options: FormatterOptions): Formatter {
  if (format.includes('{')) {
    const template = compileTemplate(format);
    return (record) => template(new RecordView(record));
  }
  const { palette, raw } = options;
  switch (format) {
    case 'ndjson':
      return raw
        ? (record) => `${new RecordView(record).payloadText.replace(/\r?\n/g, ' ')}\n`
        : (record) => `${JSON.stringify(jsonRecord(record))}\n`;
    case 'json':
      return raw
        ? (record) => `${new RecordView(record).payloadText}\n`
        : (record) => `${JSON.stringify(jsonRecord(record), null, 2)}\n`;
    case 'terse':
      return (record) => {
        const view = new RecordView(record);
        const sentence = view.render.sentence;
        return `${palette.service(view.service, `${view.service}:`)} ${isFailure(record) ? palette.failure(sentence) : sentence}\n`;
      };
    case 'pretty':
      return (record) => pretty(new RecordView(record), options);
    default:
      throw new UsageError(
        `--format must be pretty, terse, json, ndjson or a template with {fields}; got '${format}'.`,
      );
  }
}

/**
 * What json and ndjson print: `{topic, received_at, event}` as `pub -` reads it, plus `cursor` for an
 * archived event, so a script can resume after the last line it handled.
 */
function jsonRecord(record: TailRecord): Record<string, unknown> {
  return {
    topic: record.topic,
    received_at: record.receivedAt.toISOString(),
    ...(record.cursor === undefined ? {} : { cursor: record.cursor }),
    event: record.event ?? new RecordView(record).payloadText,
  };
}

/**
 * Two lines per event: `time service summary`, then the topic and a one-line excerpt of the data
 * (or the raw payload), cut with an explicit `… +N bytes` so nobody mistakes an excerpt for the
 * whole event. With `columns`, each line fits that width (ellipsis) instead of wrapping.
 */
function pretty(view: RecordView, { palette, raw, maxBytes, columns }: FormatterOptions): string {
  const record = view.record;
  const failed = isFailure(record);
  const time = view.time.slice(11, 19);
  let label = `[${view.service}]`;
  const marker = failed ? '✗ ' : '';
  let summary = view.render.summary.replace(/\s+/g, ' ');
  // A note about the message (undeclared topic, schema problem) is not a failure: never red.
  let problem = record.problem === undefined ? '' : ` (${record.problem})`;
  let url = view.render.url ?? '';
  let topic = record.topic;
  const body = (
    raw || record.event === undefined ? view.payloadText : JSON.stringify(record.event.data)
  ).replace(/\r?\n/g, ' ');
  let excerpt: string;
  if (columns === undefined) {
    excerpt = truncate(body, maxBytes);
  } else {
    // The header stays on one line: drop the link first, then shorten the summary, then the rest.
    label = fitWidth(label, Math.max(8, columns - time.length - 1 - 10));
    const fixed = time.length + 1 + displayWidth(label) + 1 + displayWidth(marker);
    if (fixed + displayWidth(summary) + displayWidth(problem) + 2 + displayWidth(url) > columns) url = '';
    problem = fitWidth(problem, Math.max(0, Math.min(displayWidth(problem), columns - fixed - 10)));
    summary = fitWidth(summary, columns - fixed - displayWidth(problem));
    topic = fitWidth(topic, columns - INDENT.length);
    excerpt = excerptToWidth(body, columns - INDENT.length - displayWidth(topic) - 2);
  }
  const header = `${palette.dim(time)} ${palette.service(view.service, label)} ${
    failed ? palette.failure(marker + summary) : palette.bold(summary)
  }${palette.dim(problem)}${url === '' ? '' : `  ${palette.dim(url)}`}`;
  return `${header}\n${INDENT}${palette.dim(topic)}${excerpt === '' ? '' : `  ${excerpt}`}\n`;
}

const INDENT = ' '.repeat(9);

/** Cuts `text` to at most `maxBytes` UTF-8 bytes (on a character boundary) and says how much is hidden. */
function truncate(text: string, maxBytes: number): string {
  const bytes = Buffer.byteLength(text);
  if (maxBytes <= 0 || bytes <= maxBytes) return text;
  let cut = Buffer.from(text).subarray(0, maxBytes).toString('utf8');
  // A multi-byte character split at the limit decodes to U+FFFD; drop it.
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return `${cut}… +${bytes - Buffer.byteLength(cut)} bytes`;
}
