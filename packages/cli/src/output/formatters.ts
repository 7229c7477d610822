import { UsageError } from '../usage-error.js';
import type { Palette } from './colour.js';
import { RecordView } from './record-view.js';
import { isFailure, type TailRecord } from './tail-record.js';
import { compileTemplate } from './template.js';

export const FORMATS = ['pretty', 'terse', 'json', 'ndjson'] as const;

export interface FormatterOptions {
  readonly palette: Palette;
  /** `--raw`: print payload bytes exactly as received instead of the parsed envelope. */
  readonly raw: boolean;
  /** Pretty mode's data excerpt limit in bytes; 0 = never truncate. */
  readonly maxBytes: number;
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
        : (record) =>
            `${JSON.stringify({
              topic: record.topic,
              received_at: record.receivedAt.toISOString(),
              event: record.event ?? new RecordView(record).payloadText,
            })}\n`;
    case 'json':
      return raw
        ? (record) => `${new RecordView(record).payloadText}\n`
        : (record) =>
            `${JSON.stringify(
              {
                topic: record.topic,
                received_at: record.receivedAt.toISOString(),
                event: record.event ?? new RecordView(record).payloadText,
              },
              null,
              2,
            )}\n`;
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
 * Two lines per event: `time service summary`, then the topic and a one-line excerpt of the data
 * (or the raw payload), cut at `maxBytes` with an explicit `… +N bytes` so nobody mistakes an
 * excerpt for the whole event.
 */
function pretty(view: RecordView, { palette, raw, maxBytes }: FormatterOptions): string {
  const record = view.record;
  const failed = isFailure(record);
  const time = view.time.slice(11, 19);
  const prefix = palette.service(view.service, `[${view.service}]`);
  const marker = failed ? palette.failure('✗ ') : '';
  const summary = failed ? palette.failure(view.render.summary) : palette.bold(view.render.summary);
  const problem = record.problem === undefined ? '' : ` ${palette.failure(`(${record.problem})`)}`;
  const url = view.render.url === undefined ? '' : `  ${palette.dim(view.render.url)}`;
  const body = raw || record.event === undefined ? view.payloadText : JSON.stringify(record.event.data);
  const excerpt = truncate(body.replace(/\r?\n/g, ' '), maxBytes);
  return `${palette.dim(time)} ${prefix} ${marker}${summary}${problem}${url}\n         ${palette.dim(record.topic)}  ${excerpt}\n`;
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes (on a character boundary) and says how much is hidden. */
export function truncate(text: string, maxBytes: number): string {
  const bytes = Buffer.byteLength(text);
  if (maxBytes <= 0 || bytes <= maxBytes) return text;
  let cut = Buffer.from(text).subarray(0, maxBytes).toString('utf8');
  // A multi-byte character split at the limit decodes to U+FFFD; drop it.
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return `${cut}… +${bytes - Buffer.byteLength(cut)} bytes`;
}
