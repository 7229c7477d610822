import { FirehoseError } from '@firehose/protocol';

/** The API's error body: `{ error: { code, message, parameter? } }`. */
interface ApiError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly parameter?: unknown;
}

async function readApiError(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: ApiError };
    return typeof body.error === 'object' && body.error !== null ? body.error : {};
  } catch {
    return {};
  }
}

/** Seconds from a `Retry-After` header (delta-seconds or an HTTP date); undefined if absent or unreadable. */
export function retryAfterSeconds(response: Response, now = Date.now()): number | undefined {
  const header = response.headers.get('retry-after');
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * A refused history request as a FirehoseError whose sentence says what to do. The broker's own
 * sentence is kept for 400 (it names the parameter and what it accepts) and becomes `path`.
 * @param where what was asked, e.g. `GET http://broker:9090/v1/events` (never with credentials)
 */
export async function responseError(response: Response, where: string): Promise<FirehoseError> {
  const api = await readApiError(response);
  const said = typeof api.message === 'string' && api.message !== '' ? api.message : undefined;
  const parameter = typeof api.parameter === 'string' ? api.parameter : undefined;
  switch (response.status) {
    case 400:
      return new FirehoseError(
        'INVALID_QUERY',
        // The broker's sentence names the parameter and what it accepts.
        said ??
          (parameter === undefined
            ? `The broker refused the history query (${where}).`
            : `The broker refused the value of history parameter ${parameter}.`),
        parameter === undefined ? {} : { path: parameter },
      );
    case 401:
    case 403:
      return new FirehoseError(
        'NOT_AUTHORIZED',
        `The broker refused the credentials for ${where}; check the username and password (history uses the account's MQTT read access).`,
      );
    case 404:
      // Without the API's error body, the path itself is unknown there: no history API at that address.
      return api.code === undefined
        ? new FirehoseError(
            'CONNECTION_FAILED',
            `${where} answered 404 without a firehose error: no history API there; is that the broker's HTTP listener (the one serving /metrics), and does the broker have history?`,
          )
        : new FirehoseError('NOT_FOUND', said ?? `Nothing found at ${where}.`);
    case 429: {
      const seconds = retryAfterSeconds(response);
      return new FirehoseError(
        'RATE_LIMITED',
        `The broker has as many history streams open from this address as it allows; close one, or retry${seconds === undefined ? ' later' : ` in ${seconds} s`}.`,
      );
    }
    case 503:
      return api.code === 'HISTORY_OFF' || api.code === undefined
        ? new FirehoseError(
            'HISTORY_OFF',
            `History is off on this broker (${where}); its operator turns it on in the broker config's history section.`,
          )
        : new FirehoseError(
            'CONNECTION_FAILED',
            `${where} is unavailable (503${said === undefined ? '' : `: ${said}`}); retry later.`,
          );
    default:
      return new FirehoseError(
        'CONNECTION_FAILED',
        `${where} answered HTTP ${response.status}${said === undefined ? '' : `: ${said}`}; is that the broker's HTTP listener (the one serving /metrics)?`,
      );
  }
}
