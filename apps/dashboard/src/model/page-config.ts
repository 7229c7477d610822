/** Settings the page reads once at start-up from its URL (and the server's meta tag). */
export interface PageConfig {
  /** WebSocket URL of the broker. */
  readonly broker: string;
  /** Events kept in memory. */
  readonly retention: number;
  /** Collapse bursts of events for one change. */
  readonly grouping: boolean;
}

const DEFAULT_RETENTION = 10_000;
/** Upper bound for `?retain=`: beyond this a tab's memory, not the list, becomes the problem. */
const MAX_RETENTION = 200_000;

/**
 * `?broker=` wins, then the broker URL the serving process put in the page, then
 * `ws://<page host>:8080/mqtt` (the broker's default WebSocket listener); `{host}` in a given URL
 * stands for the page's host. `?retain=` sets the
 * retention cap, `?group=0` turns burst collapsing off.
 */
export function readPageConfig(
  location: { search: string; hostname: string; protocol: string },
  served?: string,
): PageConfig {
  const params = new URLSearchParams(location.search);
  const secure = location.protocol === 'https:';
  const host = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname || 'localhost';
  const fallback = `${secure ? 'wss' : 'ws'}://${host}:${secure ? 8443 : 8080}/mqtt`;
  const broker = (params.get('broker')?.trim() || served?.trim() || fallback).replaceAll('{host}', host);
  const retainText = params.get('retain');
  const retain = retainText === null ? DEFAULT_RETENTION : Number(retainText);
  const retention =
    Number.isInteger(retain) && retain > 0 ? Math.min(retain, MAX_RETENTION) : DEFAULT_RETENTION;
  return { broker, retention, grouping: params.get('group') !== '0' };
}
