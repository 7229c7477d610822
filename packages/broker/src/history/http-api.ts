import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalogue } from '@firehose/schema';
import type { HistoryStore } from './history-store.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { compileFilters, compileWhere } from './event-filter.js';
import { EventStream } from './event-stream.js';
import type { LiveHub } from './live-hub.js';
import {
  BadParameter,
  parseCursor,
  parseFilters,
  parseSearch,
  parseTime,
  single,
  type ArchiveRow,
} from './query.js';

export type ErrorCode =
  'BAD_PARAMETER' | 'NOT_FOUND' | 'UNAUTHORIZED' | 'TOO_MANY_STREAMS' | 'HISTORY_OFF' | 'UNAVAILABLE';

/** What the history endpoints need from the broker, for one (authenticated or anonymous) reader. */
export interface HistoryHost {
  archive: HistoryStore;
  hub: LiveHub;
  /** Every declared service, built-in and site: search keys and topic parameters come from it. */
  events: Catalogue;
  /** Whether this reader may receive this topic over MQTT. */
  mayRead(topic: string): boolean;
  heartbeatMs: number;
  /** Takes a stream slot for the reader's IP; false when its cap is reached. */
  openStream(): boolean;
  closeStream(): void;
}

export function sendError(
  res: ServerResponse,
  status: number,
  code: ErrorCode,
  message: string,
  parameter?: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({
    error: { code, message, ...(parameter === undefined ? {} : { parameter }) },
  });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(body);
}

/** A record as the API returns it; the event is the archived JSON text, not parsed again. */
function recordJson(row: ArchiveRow): string {
  return `{"cursor":"${encodeCursor(row.seq)}","topic":${JSON.stringify(row.topic)},"event":${row.event}}`;
}

function sendJson(res: ServerResponse, body: string): void {
  res
    .writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(body);
}

/** Longest a request waits for the writer to catch up with what was accepted before it. */
const CATCH_UP_MS = 1000;

/**
 * Resolves once every event accepted before now is written (so an acknowledged publish is found),
 * or after CATCH_UP_MS when the writer is behind: a search never waits long.
 */
function caughtUp(archive: HistoryStore): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    archive.caughtUp(),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, CATCH_UP_MS))),
  ]).finally(() => clearTimeout(timer));
}

function failer(res: ServerResponse): (error: unknown) => void {
  return (error) => {
    if (error instanceof BadParameter) sendError(res, 400, 'BAD_PARAMETER', error.message, error.parameter);
    else if (!res.headersSent)
      sendError(res, 503, 'UNAVAILABLE', 'The archive could not be read just now; try again.', undefined, {
        'retry-after': '1',
      });
  };
}

/** `GET /v1/events`: one page of a search. */
export function searchEvents(host: HistoryHost, res: ServerResponse, url: URL): void {
  const fail = failer(res);
  let parsed;
  let where;
  try {
    parsed = parseSearch(url.searchParams, host.events.services);
    where = compileWhere(parsed.filters.where, host.events);
  } catch (error) {
    fail(error);
    return;
  }
  const { archive } = host;
  const query = parsed.query;
  caughtUp(archive)
    .then(() => archive.search(query))
    .then((page) => {
      // `where` runs here, on the page the index found; `next` still says where the scan stopped.
      const events = page.rows
        .filter((row) => host.mayRead(row.topic))
        .filter(
          (row) =>
            where === undefined ||
            where({ topic: row.topic, event: JSON.parse(row.event) as Record<string, unknown> }),
        )
        .map(recordJson);
      const next = page.next === null ? 'null' : `"${encodeCursor(page.next)}"`;
      sendJson(res, `{"events":[${events.join(',')}],"next":${next}}`);
    }, fail);
}

/** `GET /v1/events/{cursor | CloudEvents id}`. */
export function getEvent(host: HistoryHost, res: ServerResponse, key: string): void {
  if (key === '') {
    sendError(
      res,
      400,
      'BAD_PARAMETER',
      'The path needs a cursor or a CloudEvents id: /v1/events/{cursor-or-id}.',
      'id',
    );
    return;
  }
  const { archive } = host;
  const seq = decodeCursor(key);
  // A publisher may choose ids that look like cursors: a cursor that names nothing is tried as an id.
  const lookup = (): Promise<ArchiveRow | undefined> =>
    seq === undefined
      ? archive.get({ id: key })
      : archive.get({ seq }).then((row) => row ?? archive.get({ id: key }));
  caughtUp(archive)
    .then(lookup)
    .then((row) => {
      if (row === undefined || !host.mayRead(row.topic))
        sendError(
          res,
          404,
          'NOT_FOUND',
          `No archived event has the cursor or id ${JSON.stringify(key.slice(0, 128))}.`,
        );
      else sendJson(res, recordJson(row));
    }, failer(res));
}

/** Seconds a refused stream is told to wait (429 Retry-After). */
const RETRY_AFTER_S = 5;

/** `GET /v1/stream`: Server-Sent Events, archive then live. */
export function streamEvents(host: HistoryHost, req: IncomingMessage, res: ServerResponse, url: URL): void {
  let filters;
  let since: { after: bigint } | { from: number } | undefined;
  let liveTest;
  let archiveTest;
  try {
    const params = url.searchParams;
    filters = parseFilters(params, ['since'], host.events.services);
    if (filters.from !== undefined || filters.to !== undefined) {
      const name = filters.from !== undefined ? 'from' : 'to';
      throw new BadParameter(
        name,
        `${name} does not apply to a stream; use since=<cursor or time> (or /v1/events for a time window).`,
      );
    }
    const sinceText = single(params, 'since');
    const lastEventId = req.headers['last-event-id'];
    if (sinceText !== undefined) {
      // A cursor, or a time: ISO 8601 or relative.
      since =
        decodeCursor(sinceText) !== undefined
          ? { after: parseCursor('since', sinceText) }
          : { from: parseTimeForSince(sinceText) };
    }
    // Last-Event-ID wins over since: a browser's EventSource reconnects to the same URL, since=
    // and all, adding the last id it saw; since winning would replay everything after it again.
    if (typeof lastEventId === 'string' && lastEventId !== '')
      since = { after: parseCursor('Last-Event-ID', lastEventId) };
    liveTest = compileFilters(filters, host.events);
    archiveTest = compileWhere(filters.where, host.events);
  } catch (error) {
    failer(res)(error);
    return;
  }
  if (!host.openStream()) {
    sendError(
      res,
      429,
      'TOO_MANY_STREAMS',
      'This address has as many history streams open as it may (history.streamsPerIp); close one or retry later.',
      undefined,
      { 'retry-after': String(RETRY_AFTER_S) },
    );
    return;
  }
  new EventStream(
    {
      archive: host.archive,
      hub: host.hub,
      mayRead: (topic) => host.mayRead(topic),
      filters,
      archiveTest,
      liveTest,
      since,
      heartbeatMs: host.heartbeatMs,
      onEnd: () => host.closeStream(),
    },
    req,
    res,
  );
}

function parseTimeForSince(value: string): number {
  try {
    return parseTime('since', value);
  } catch {
    throw new BadParameter(
      'since',
      `since must be a cursor (16 hex digits), an ISO 8601 time or a relative one (-30m, -2h); got ${JSON.stringify(value.slice(0, 64))}.`,
    );
  }
}
