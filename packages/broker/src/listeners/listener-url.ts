import type { RunningListener } from './listener.js';

/**
 * A URL clients can connect to, e.g. `mqtt://127.0.0.1:41234` or `ws://127.0.0.1:40001/mqtt`: a
 * wildcard bind address becomes the loopback of its family, an IPv6 host is bracketed.
 */
export function listenerUrl(listener: RunningListener): string {
  const { kind } = listener;
  const { host, port } = listener.address();
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const hostPart = reachable.includes(':') ? `[${reachable}]` : reachable;
  const path = kind === 'ws' || kind === 'wss' ? listener.settings.path : '';
  return `${kind === 'http' ? 'http' : kind}://${hostPart}:${port}${path}`;
}
