import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Archive } from './archive.js';
import { encodeCursor, decodeCursor } from './cursor.js';
import type { ArchiveRow } from './query.js';
import { BadParameter, parseSearch } from './query.js';

export type ErrorCode = 'BAD_PARAMETER' | 'NOT_FOUND' | 'UNAUTHORIZED' | 'TOO_MANY_STREAMS' | 'HISTORY_OFF';

/** What the history endpoints need from the broker. */
export interface HistoryHost {
  /** The archive, or `undefined` when history is off (every endpoint answers 503 HISTORY_OFF). */
  archive: Archive | undefined;
  /** Why history is off, for the 503's sentence. */
  offReason: string;
  /** Whether the (anonymous) reader may receive this topic over MQTT. */
  mayRead(topic: string): boolean;
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

/** Longest a request waits for the writer to catch up with what was accepted before it. */
const CATCH_UP_MS = 1000;

/**
 * Resolves once every event accepted before now is written (so an acknowledged publish is found),
 * or after CATCH_UP_MS when the writer is behind: a search never waits long.
 */
function caughtUp(archive: Archive): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    archive.settled(archive.lastSeq),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, CATCH_UP_MS))),
  ]).finally(() => clearTimeout(timer));
}

function sendJson(res: ServerResponse, body: string): void {
  res
    .writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(body);
}

/**
 * `GET /v1/events` and `GET /v1/events/{cursor | id}` (docs/architecture.md#history). Returns false
 * for a path that is not one of them.
 */
export function handleEvents(
  host: HistoryHost,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): boolean {
  const path = url.pathname;
  if (path !== '/v1/events' && !path.startsWith('/v1/events/')) return false;
  const archive = host.archive;
  if (archive === undefined) {
    sendError(res, 503, 'HISTORY_OFF', host.offReason);
    return true;
  }
  const fail = (error: unknown): void => {
    if (error instanceof BadParameter) sendError(res, 400, 'BAD_PARAMETER', error.message, error.parameter);
    else if (!res.headersSent) sendError(res, 500, 'NOT_FOUND', 'The archive could not be read; try again.');
  };
  if (path === '/v1/events') {
    let parsed;
    try {
      parsed = parseSearch(url.searchParams);
      if (parsed.filters.where !== undefined)
        throw new BadParameter(
          'where',
          'where is not supported by this broker yet; filter by service, type, topic or keys.',
        );
    } catch (error) {
      fail(error);
      return true;
    }
    const query = parsed.query;
    caughtUp(archive)
      .then(() => archive.search(query))
      .then((page) => {
        const events = page.rows.filter((row) => host.mayRead(row.topic)).map(recordJson);
        const next = page.next === null ? 'null' : `"${encodeCursor(page.next)}"`;
        sendJson(res, `{"events":[${events.join(',')}],"next":${next}}`);
      }, fail);
    return true;
  }
  const key = decodeURIComponent(path.slice('/v1/events/'.length));
  if (key === '') {
    sendError(
      res,
      400,
      'BAD_PARAMETER',
      'The path needs a cursor or a CloudEvents id: /v1/events/{cursor-or-id}.',
      'id',
    );
    return true;
  }
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
    }, fail);
  return true;
}
