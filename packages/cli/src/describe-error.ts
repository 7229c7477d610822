import { isFirehoseError } from '@firehose/protocol';

/** A sentence for any thrown value, with the JSON path when a FirehoseError carries one. */
export function describeError(error: unknown): string {
  if (isFirehoseError(error)) {
    const path = error.path !== undefined && !error.message.includes(error.path) ? ` (at ${error.path})` : '';
    return `${error.message}${path}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
