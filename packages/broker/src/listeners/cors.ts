import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS for the history API (`/v1/…` but the intake; not `/metrics`), so a page on another origin
 * can read history with `fetch` (docs/architecture.md#history, "Other origins"). `*` is safe: the API never
 * reads cookies or the browser's auth cache; an account's password travels only in an
 * `Authorization` header the page itself sets, and the reader still gets only what it may read.
 */
const EVERY_RESPONSE = {
  'access-control-allow-origin': '*',
  // What a client reads besides the CORS-safelisted headers (a 429's and a 503's back-off).
  'access-control-expose-headers': 'Retry-After',
} as const;

/** The preflight's answer: what the SDK sends that is not CORS-safelisted. */
const PREFLIGHT = {
  'access-control-allow-methods': 'GET, HEAD',
  'access-control-allow-headers': 'Authorization, Last-Event-ID',
  'access-control-max-age': '600',
} as const;

/**
 * Puts the CORS headers on this response, whatever its status (they stay through a later
 * `writeHead`, the SSE stream's too), and answers a preflight `OPTIONS` with 204: true then.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
  for (const [name, value] of Object.entries(EVERY_RESPONSE)) res.setHeader(name, value);
  if (req.method !== 'OPTIONS') return false;
  res.writeHead(204, PREFLIGHT).end();
  return true;
}
