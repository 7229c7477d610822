import { deriveHistoryUrl } from '@firehose/client';

/** `?search=1`: the stream shows the archive's answer to the filters instead of live events. */
export interface SearchConfig {
  /** Oldest event time (`?from=`, ISO 8601 or `2h`/`7d` back). */
  readonly from: string;
  /** Newest event time (`?to=`). */
  readonly to: string;
  /** A predicate the broker evaluates (`?where=`, the SDK grammar). */
  readonly where: string;
}

/** Settings the page reads once at start-up from its URL (and the server's meta tag). */
export interface PageConfig {
  /** WebSocket URL of the broker. */
  readonly broker: string;
  /** Events kept in memory. */
  readonly retention: number;
  /** Collapse bursts of events for one change. */
  readonly grouping: boolean;
  /** The broker's HTTP listener, where the history API is; undefined when turned off (`?history=off`). */
  readonly history: string | undefined;
  /** Search mode, or undefined for the live stream. */
  readonly search: SearchConfig | undefined;
  /** `?event=`: a cursor or CloudEvents id whose details open at once (a permalink). */
  readonly event: string | undefined;
}

const DEFAULT_RETENTION = 10_000;
/** Upper bound for `?retain=`: beyond this a tab's memory, not the list, becomes the problem. */
const MAX_RETENTION = 200_000;

/**
 * `?broker=` wins, then the broker URL the serving process put in the page, then
 * `ws://<page host>:8080/mqtt` (the broker's default WebSocket listener); `{host}` in a given URL
 * stands for the page's host. `?retain=` sets the
 * retention cap, `?group=0` turns burst collapsing off. `?history=` (then the served one, then the
 * broker's host on port 9090; `off` for none, `same-origin` when the page's server forwards `/v1/`) is the history API; `?search=1` with `from`, `to`, `where` is search
 * mode; `?event=` opens one event.
 */
export function readPageConfig(
  location: { search: string; hostname: string; protocol: string; host?: string },
  served?: string,
  servedHistory?: string,
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
  const text = (name: string) => params.get(name)?.trim() ?? '';
  const historyText = text('history') || servedHistory?.trim() || '';
  let history: string | undefined;
  try {
    history =
      historyText === 'off'
        ? undefined
        : historyText === 'same-origin'
          ? `${location.protocol}//${location.host ?? location.hostname}`
          : historyText === ''
            ? deriveHistoryUrl(broker)
            : historyText.replaceAll('{host}', host);
  } catch {
    history = `${secure ? 'https' : 'http'}://${host}:9090`;
  }
  const search = ['1', 'true'].includes(text('search'))
    ? { from: text('from'), to: text('to'), where: text('where') }
    : undefined;
  return {
    broker,
    retention,
    grouping: params.get('group') !== '0',
    history,
    search,
    event: text('event') || undefined,
  };
}

/** The page URL that opens one event's details: the permalink the detail pane offers. */
export function permalink(
  location: { origin: string; pathname: string; search: string },
  event: string,
): string {
  const params = new URLSearchParams(location.search);
  // Only what locates the broker stays: the permalink shows one event, not this page's filters.
  const kept = new URLSearchParams();
  for (const name of ['broker', 'history']) {
    const value = params.get(name);
    if (value !== null) kept.set(name, value);
  }
  kept.set('event', event);
  return `${location.origin}${location.pathname}?${kept.toString()}`;
}
