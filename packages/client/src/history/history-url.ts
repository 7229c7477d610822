import { FirehoseError } from '@firehose/protocol';

/** A history base URL with any credentials taken out (fetch refuses URLs that carry them). */
export interface HistoryEndpoint {
  /** `http(s)://host:port/prefix` without a trailing slash and without credentials. */
  readonly base: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
}

/** @throws FirehoseError `INVALID_CONFIG` naming `historyUrl` for anything but an http(s) URL. */
export function parseHistoryUrl(url: string): HistoryEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new FirehoseError(
      'INVALID_CONFIG',
      `historyUrl ${JSON.stringify(url)} is not a URL; use the broker's HTTP listener, e.g. http://broker.example:9090.`,
      { cause, path: 'historyUrl' },
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new FirehoseError(
      'INVALID_CONFIG',
      `historyUrl must be an http:// or https:// URL (the broker's HTTP listener, the one serving /metrics); got ${parsed.protocol}//.`,
      { path: 'historyUrl' },
    );
  const username = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
  const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return { base: parsed.toString().replace(/\/+$/, ''), username, password };
}

/** The port `firehose broker` serves /metrics and the history API on by default. */
const DEFAULT_HISTORY_PORT = 9090;

/**
 * The history URL a broker URL implies, when `historyUrl` is not given:
 * - `ws://host/path` or `wss://host/path` without a port (a reverse proxy in front of the broker):
 *   the same origin, `http(s)://host` — the proxy is expected to route `/v1/` to the HTTP listener;
 * - anything else: the broker's host on port 9090, the HTTP listener's default (`https` for
 *   `mqtts://`/`wss://`).
 */
export function deriveHistoryUrl(brokerUrl: string): string {
  const parsed = new URL(brokerUrl);
  const secure = parsed.protocol === 'mqtts:' || parsed.protocol === 'wss:';
  const scheme = secure ? 'https' : 'http';
  const web = parsed.protocol === 'ws:' || parsed.protocol === 'wss:';
  if (web && parsed.port === '') return `${scheme}://${parsed.host}`;
  return `${scheme}://${parsed.hostname}:${DEFAULT_HISTORY_PORT}`;
}

/** `Authorization: Basic …` of UTF-8 credentials (btoa alone only takes Latin-1). */
export function basicAuthorization(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}
