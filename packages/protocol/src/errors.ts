/**
 * Every error a firehose library raises for something a caller can cause. `code` is stable and
 * machine-readable; `message` is a sentence that says what is wrong and what to do.
 */
export type FirehoseErrorCode =
  | 'INVALID_TOPIC'
  | 'INVALID_FILTER'
  | 'INVALID_ENVELOPE'
  | 'INVALID_PARAMS'
  | 'INVALID_PAYLOAD'
  | 'TOPIC_MISMATCH'
  | 'UNKNOWN_EVENT_TYPE'
  | 'INCOMPATIBLE_SCHEMA'
  | 'INVALID_CONFIG'
  | 'INVALID_CATALOGUE'
  | 'BROKEN_INSTALL'
  | 'INVALID_PREDICATE'
  | 'NOT_AUTHORIZED'
  | 'CONNECTION_FAILED'
  | 'TIMEOUT'
  | 'QUEUE_FULL'
  | 'CLOSED'
  /** A history query the broker refused (HTTP 400); `path` names the query parameter. */
  | 'INVALID_QUERY'
  /** No archived event has that cursor or id (HTTP 404). */
  | 'NOT_FOUND'
  /** Too many history streams from this address (HTTP 429); retry after the delay the message names. */
  | 'RATE_LIMITED'
  /** The broker runs with history off (HTTP 503). */
  | 'HISTORY_OFF';

export interface FirehoseErrorOptions {
  cause?: unknown;
  /** JSON path (e.g. `/data/change/number`) or config key the error is about. */
  path?: string;
  /**
   * The message without the input values it quotes (`got the string "…"` becomes `got a string`),
   * for records read by people who may not see the input: the broker's `$firehose/invalid/<service>`
   * and its warning log. Give it whenever `message` quotes part of the input.
   * @default message (it quotes nothing)
   */
  redactedMessage?: string;
}

export class FirehoseError extends Error {
  override readonly name = 'FirehoseError';
  readonly code: FirehoseErrorCode;
  readonly path: string | undefined;
  /** `message` without the input values it quotes; see {@link FirehoseErrorOptions.redactedMessage}. */
  readonly redactedMessage: string;

  constructor(code: FirehoseErrorCode, message: string, options: FirehoseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.redactedMessage = options.redactedMessage ?? message;
  }
}

/** What kind of value something is, without quoting it: `a string`, `a number`, `an object`, … */
export function valueKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const kind = typeof value;
  if (kind === 'string' || kind === 'number' || kind === 'boolean') return `a ${kind}`;
  return kind === 'object' ? 'an object' : kind;
}

/** True when `error` is a FirehoseError, optionally with the given code. */
export function isFirehoseError(error: unknown, code?: FirehoseErrorCode): error is FirehoseError {
  return error instanceof FirehoseError && (code === undefined || error.code === code);
}
