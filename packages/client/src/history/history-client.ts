import { FirehoseError, isFirehoseError } from '@firehose/protocol';
import type { Catalogue, EventType, Subscription } from '@firehose/schema';
import { siteCatalogue } from '../site-catalogue.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../backoff.js';
import { silentLogger, type Logger } from '../logger.js';
import { resolveHistoryTarget, targetAccepts, type ResolvedTarget } from './history-request.js';
import { responseError, retryAfterSeconds } from './history-errors.js';
import { resolvePosition } from './history-position.js';
import { asApiRecord, decodeRecord, type ApiRecord } from './history-record.js';
import { HistoryStream, type StreamControl } from './history-stream.js';
import type {
  FilterHistoryEvent,
  HistoryClientOptions,
  HistoryEvent,
  HistoryOptions,
  HistoryQuery,
  HistoryTarget,
  HistoryWhere,
  SearchOptions,
  SearchPage,
} from './history-types.js';
import { basicAuthorization, parseHistoryUrl, type HistoryEndpoint } from './history-url.js';
import { readServerSentEvents } from './sse-reader.js';

const MAX_LIMIT = 1000;
const DEFAULT_PAGE_SIZE = 500;

/** A failure worth another attempt once the stream has worked: the network, a restart, a cut. */
class Transient extends Error {
  constructor(
    readonly error: FirehoseError,
    /** Milliseconds the broker asked to wait (429 Retry-After). */
    readonly retryAfter: number | undefined,
  ) {
    super(error.message);
  }
}

function checkLimit(value: number | undefined, name: string, fallback: number): number {
  const limit = value ?? fallback;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new FirehoseError(
      'INVALID_CONFIG',
      `${name} must be a whole number from 1 to ${MAX_LIMIT}; got ${JSON.stringify(value)}.`,
      {
        path: name,
      },
    );
  return limit;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Reads a firehose broker's history API (`/v1/events`, `/v1/stream`) over fetch: in Node and in
 * browsers, no Node-only imports. `connect()` makes one from its `historyUrl` (`client.history()`,
 * `client.search()`); {@link createHistoryClient} makes one without an MQTT connection.
 */
export class HistoryClient {
  private readonly endpoint: HistoryEndpoint;
  private readonly authorization: string | undefined;
  private readonly validate: boolean;
  private readonly catalogue: Catalogue;
  private readonly backoff: Required<BackoffOptions>;
  private readonly logger: Logger;
  private readonly fetch: typeof fetch;

  /** @internal Use {@link createHistoryClient} or `connect()`. */
  constructor(url: string, options: HistoryClientOptions = {}) {
    this.endpoint = parseHistoryUrl(url);
    const username = options.username ?? this.endpoint.username;
    const password = options.password ?? this.endpoint.password;
    this.authorization = username === undefined ? undefined : basicAuthorization(username, password ?? '');
    this.validate = options.validate ?? true;
    this.catalogue = siteCatalogue(options.services);
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.logger = options.logger ?? silentLogger;
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function')
      throw new FirehoseError(
        'INVALID_CONFIG',
        'History needs fetch (Node 18+, every browser); pass options.fetch on a runtime without it.',
        {
          path: 'fetch',
        },
      );
    // Unbound, window.fetch throws "Illegal invocation" in browsers.
    this.fetch = fetchImpl.bind(globalThis);
  }

  /** The API's base URL, without credentials. */
  get url(): string {
    return this.endpoint.base;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.authorization === undefined ? {} : { authorization: this.authorization }), ...extra };
  }

  private async get(
    path: string,
    params: URLSearchParams,
    signal: AbortSignal | undefined,
    accept: string,
    extra?: Record<string, string>,
  ): Promise<Response> {
    const query = params.toString();
    const url = `${this.endpoint.base}${path}${query === '' ? '' : `?${query}`}`;
    let response: Response;
    try {
      response = await this.fetch(url, { headers: this.headers({ accept, ...extra }), signal });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new Transient(
        new FirehoseError(
          'CONNECTION_FAILED',
          `Could not reach the history API at ${this.endpoint.base} (${fetchFailure(cause)}); is the broker's HTTP listener (the one serving /metrics) there?`,
          { cause },
        ),
        undefined,
      );
    }
    if (response.ok) return response;
    const error = await responseError(response, `GET ${this.endpoint.base}${path}`);
    if (response.status === 429) {
      const seconds = retryAfterSeconds(response);
      throw new Transient(error, seconds === undefined ? undefined : seconds * 1000);
    }
    if (response.status >= 500 && error.code !== 'HISTORY_OFF') throw new Transient(error, undefined);
    throw error;
  }

  private async getJson(
    path: string,
    params: URLSearchParams,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    try {
      const response = await this.get(path, params, signal, 'application/json');
      return await response.json();
    } catch (error) {
      if (error instanceof Transient) throw error.error;
      throw error;
    }
  }

  /**
   * One page of a search, newest first by default; pass `next` back as `cursor` for the next page.
   * A short page with a non-null `next` is normal (the broker's scan budget), `next: null` is the end.
   * @throws FirehoseError `INVALID_QUERY` (with the parameter as `path`), `NOT_AUTHORIZED`, `RATE_LIMITED`, `HISTORY_OFF`, `CONNECTION_FAILED`
   */
  search<Data, Params extends Record<string, string>>(
    target: Subscription<Data, Params> | EventType<Data, Params>,
    options?: SearchOptions<Data, Params>,
  ): Promise<SearchPage<HistoryEvent<Data, Params>>>;
  search<F extends string>(target: F, options?: SearchOptions): Promise<SearchPage<FilterHistoryEvent<F>>>;
  search(target: HistoryQuery, options?: SearchOptions): Promise<SearchPage<HistoryEvent>>;
  async search(
    target: HistoryTarget,
    options: SearchOptions<never, never> = {},
  ): Promise<SearchPage<HistoryEvent<never, never>>> {
    const opts = options as SearchOptions;
    const resolved = resolveHistoryTarget(target);
    const params = new URLSearchParams(resolved.params);
    const filter = applyWhere(params, opts.where);
    if (opts.since !== undefined) params.set('from', timeOnly(opts.since, 'since'));
    if (opts.until !== undefined) params.set('to', timeOnly(opts.until, 'until'));
    if (opts.order !== undefined) {
      if (opts.order !== 'asc' && opts.order !== 'desc')
        throw new FirehoseError(
          'INVALID_CONFIG',
          `order must be 'asc' or 'desc'; got ${JSON.stringify(opts.order)}.`,
          { path: 'order' },
        );
      params.set('order', opts.order);
    }
    if (opts.limit !== undefined) params.set('limit', String(checkLimit(opts.limit, 'limit', 100)));
    if (opts.cursor !== undefined) params.set('cursor', opts.cursor);
    const page = await this.getJson('/v1/events', params, opts.signal);
    const { records, next } = asPage(page, `${this.endpoint.base}/v1/events`);
    const events: HistoryEvent[] = [];
    for (const record of records) {
      const event = this.accept(record, resolved, filter, undefined);
      if (event !== undefined) events.push(event);
    }
    return { events: events as HistoryEvent<never, never>[], next };
  }

  /**
   * One archived event by its cursor or its CloudEvents id.
   * @throws FirehoseError `NOT_FOUND`, `NOT_AUTHORIZED`, `HISTORY_OFF`, `CONNECTION_FAILED`
   */
  async event(cursorOrId: string, options: { signal?: AbortSignal } = {}): Promise<HistoryEvent> {
    if (typeof cursorOrId !== 'string' || cursorOrId === '')
      throw new FirehoseError('INVALID_CONFIG', 'event() takes a cursor or a CloudEvents id.', {
        path: 'cursorOrId',
      });
    const body = await this.getJson(
      `/v1/events/${encodeURIComponent(cursorOrId)}`,
      new URLSearchParams(),
      options.signal,
    );
    const decoded = decodeRecord(
      asApiRecord(body, `${this.endpoint.base}/v1/events`),
      this.validate,
      this.catalogue,
    );
    if (decoded.kind === 'invalid') throw decoded.invalid.error;
    return decoded.event;
  }

  /**
   * Archived events on `target` in the order the broker accepted them, from `since` (a cursor, a
   * time, `2h`), then with `live: true` the live ones, gaplessly. Yields `{ event, params, cursor,
   * topic, eventType }`, typed like `subscribe()`.
   * @throws FirehoseError `INVALID_FILTER`, `INVALID_CONFIG` at once; the loop throws `INVALID_QUERY`,
   * `NOT_AUTHORIZED`, `RATE_LIMITED`, `HISTORY_OFF`, `CONNECTION_FAILED` (first request only: once
   * the stream has worked, network failures are retried with backoff)
   */
  history<Data, Params extends Record<string, string>>(
    target: Subscription<Data, Params> | EventType<Data, Params>,
    options?: HistoryOptions<Data, Params>,
  ): HistoryStream<HistoryEvent<Data, Params>>;
  history<F extends string>(target: F, options?: HistoryOptions): HistoryStream<FilterHistoryEvent<F>>;
  history(target: HistoryQuery, options?: HistoryOptions): HistoryStream<HistoryEvent>;
  history(
    target: HistoryTarget,
    options: HistoryOptions<never, never> = {},
  ): HistoryStream<HistoryEvent<never, never>> {
    const opts = options as HistoryOptions;
    const resolved = resolveHistoryTarget(target);
    const since = opts.since === undefined ? undefined : resolvePosition(opts.since, 'since');
    const until = opts.until === undefined ? undefined : resolvePosition(opts.until, 'until');
    if (opts.live === true && until !== undefined)
      throw new FirehoseError(
        'INVALID_CONFIG',
        'until and live: true do not go together: a live stream has no end; drop one of them.',
        {
          path: 'until',
        },
      );
    const pageSize = checkLimit(opts.pageSize, 'pageSize', DEFAULT_PAGE_SIZE);
    const params = new URLSearchParams(resolved.params);
    const filter = applyWhere(params, opts.where);
    const produce =
      opts.live === true
        ? (control: StreamControl) => this.stream(params, since, resolved, filter, control)
        : (control: StreamControl) => this.pages(params, since, until, pageSize, resolved, filter, control);
    return new HistoryStream<HistoryEvent>(produce, opts.signal, (error) =>
      this.logger.error({ err: error }, 'firehose history listener threw'),
    ) as unknown as HistoryStream<HistoryEvent<never, never>>;
  }

  /** The record as an event, if it passes the client-side checks; `invalid` is reported. */
  private accept(
    record: ApiRecord,
    resolved: ResolvedTarget,
    filter: ((event: HistoryEvent) => boolean) | undefined,
    control: StreamControl | undefined,
  ): HistoryEvent | undefined {
    const decoded = decodeRecord(record, this.validate, this.catalogue);
    if (decoded.kind === 'invalid') {
      this.logger.debug(
        { topic: record.topic, cursor: record.cursor, err: decoded.invalid.error },
        'firehose history: invalid archived event',
      );
      control?.emit('invalid', decoded.invalid);
      return undefined;
    }
    const event = decoded.event;
    if (!targetAccepts(resolved, event.topic, event.eventType?.type)) return undefined;
    if (filter !== undefined && !filter(event)) return undefined;
    return event;
  }

  /** `/v1/events` pages, oldest first, following `next` until it is null. */
  private async *pages(
    base: URLSearchParams,
    since: ReturnType<typeof resolvePosition> | undefined,
    until: ReturnType<typeof resolvePosition> | undefined,
    pageSize: number,
    resolved: ResolvedTarget,
    filter: ((event: HistoryEvent) => boolean) | undefined,
    control: StreamControl,
  ): AsyncGenerator<HistoryEvent, void, undefined> {
    const params = new URLSearchParams(base);
    params.set('order', 'asc');
    params.set('limit', String(pageSize));
    if (since?.kind === 'time') params.set('from', since.time);
    if (since?.kind === 'cursor') params.set('cursor', since.cursor);
    if (until?.kind === 'time') params.set('to', until.time);
    const stopAfter = until?.kind === 'cursor' ? until.cursor : undefined;
    let last = since?.kind === 'cursor' ? since.cursor : undefined;
    let attempt = 0;
    let readOnce = false;
    const where = `${this.endpoint.base}/v1/events`;
    for (;;) {
      let body: unknown;
      try {
        const response = await this.get('/v1/events', params, control.signal, 'application/json');
        body = await response.json();
        control.setState('connected');
        readOnce = true;
        attempt = 0;
      } catch (error) {
        if (control.signal.aborted) return;
        // Once a page was read, a failing one is retried: the loop has events it must not lose.
        if (!(error instanceof Transient) || !readOnce) throw unwrap(error);
        await this.pause(control, attempt++, error.retryAfter, where);
        continue;
      }
      const { records, next } = asPage(body, where);
      for (const record of records) {
        if (stopAfter !== undefined && record.cursor > stopAfter) return;
        // Never twice, never backwards, whatever a retried page repeats.
        if (last !== undefined && record.cursor <= last) continue;
        last = record.cursor;
        const event = this.accept(record, resolved, filter, control);
        if (event !== undefined) yield event;
      }
      if (next === null) return;
      params.set('cursor', next);
    }
  }

  /** `/v1/stream`: archive then live; reconnects by `Last-Event-ID` after a drop. */
  private async *stream(
    base: URLSearchParams,
    since: ReturnType<typeof resolvePosition> | undefined,
    resolved: ResolvedTarget,
    filter: ((event: HistoryEvent) => boolean) | undefined,
    control: StreamControl,
  ): AsyncGenerator<HistoryEvent, void, undefined> {
    let last = since?.kind === 'cursor' ? since.cursor : undefined;
    // Live only (no since): if the stream drops before its first event, resume from when it opened.
    let resumeTime = since?.kind === 'time' ? since.time : undefined;
    let attempt = 0;
    let connected = false;
    const where = `${this.endpoint.base}/v1/stream`;
    for (;;) {
      const params = new URLSearchParams(base);
      const headers: Record<string, string> = {};
      if (last !== undefined) headers['last-event-id'] = last;
      else if (resumeTime !== undefined) params.set('since', resumeTime);
      try {
        const opened = new Date().toISOString();
        const response = await this.get('/v1/stream', params, control.signal, 'text/event-stream', headers);
        if (response.body === null)
          throw new Transient(
            new FirehoseError('CONNECTION_FAILED', `${where} answered without a body.`),
            undefined,
          );
        resumeTime ??= opened;
        connected = true;
        attempt = 0;
        control.setState('connected');
        for await (const message of readServerSentEvents(response.body)) {
          if (message.event === 'reset') {
            control.emit('reset', { oldest: readOldest(message.data) });
            continue;
          }
          if (message.event !== 'message') continue;
          const record = asApiRecord(parseJson(message.data, where), where);
          if (last !== undefined && record.cursor <= last) continue;
          last = record.cursor;
          const event = this.accept(record, resolved, filter, control);
          if (event !== undefined) yield event;
        }
        // The broker ended the stream (a restart, or this reader was too slow for its queue): resume.
        if (control.signal.aborted) return;
        this.logger.debug({ cursor: last }, 'firehose history stream ended; resuming');
        await this.pause(control, attempt++, undefined, where);
      } catch (error) {
        if (control.signal.aborted) return;
        const transient = error instanceof Transient || (connected && !isFirehoseError(error));
        if (!transient || !connected) throw unwrap(error, where);
        this.logger.debug({ err: error, cursor: last }, 'firehose history stream dropped; resuming');
        await this.pause(
          control,
          attempt++,
          error instanceof Transient ? error.retryAfter : undefined,
          where,
        );
      }
    }
  }

  private async pause(
    control: StreamControl,
    attempt: number,
    retryAfter: number | undefined,
    url: string,
  ): Promise<void> {
    control.setState('reconnecting');
    const delay = retryAfter ?? backoffDelay(attempt, this.backoff);
    control.emit('retry', { attempt: attempt + 1, delay, url });
    await sleep(delay, control.signal);
  }
}

/** Why fetch failed: Node's fetch says only "fetch failed" and keeps the socket's error as its cause. */
function fetchFailure(error: unknown): string {
  const inner = error instanceof Error ? (error.cause as { message?: unknown } | undefined) : undefined;
  if (typeof inner?.message === 'string' && inner.message !== '') return inner.message;
  return error instanceof Error ? error.message : String(error);
}

/** Unwraps the retryable wrapper; a broken body stream becomes a sentence. */
function unwrap(error: unknown, where?: string): unknown {
  if (error instanceof Transient) return error.error;
  if (isFirehoseError(error) || where === undefined) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new FirehoseError('CONNECTION_FAILED', `The history stream ${where} failed: ${reason}.`, {
    cause: error,
  });
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new FirehoseError(
      'CONNECTION_FAILED',
      `${where} sent an event that is not JSON; is that a firehose broker?`,
      { cause },
    );
  }
}

function readOldest(data: string): string {
  try {
    const parsed = JSON.parse(data) as { oldest?: unknown };
    return typeof parsed.oldest === 'string' ? parsed.oldest : '';
  } catch {
    return '';
  }
}

function asPage(body: unknown, where: string): { records: ApiRecord[]; next: string | null } {
  const page = body as { events?: unknown; next?: unknown } | null;
  if (
    typeof page !== 'object' ||
    page === null ||
    !Array.isArray(page.events) ||
    (page.next !== null && typeof page.next !== 'string')
  )
    throw new FirehoseError(
      'CONNECTION_FAILED',
      `${where} did not answer with { events, next }; is that a firehose broker's history API?`,
    );
  return { records: page.events.map((record) => asApiRecord(record, where)), next: page.next };
}

/** A string `where` goes to the broker; a function stays here. */
function applyWhere(
  params: URLSearchParams,
  where: HistoryWhere | undefined,
): ((event: HistoryEvent) => boolean) | undefined {
  if (where === undefined) return undefined;
  if (typeof where === 'function') return where;
  if (typeof where !== 'string' || where.trim() === '')
    throw new FirehoseError(
      'INVALID_CONFIG',
      'where must be a predicate string (data.change.branch = master) or a function.',
      { path: 'where' },
    );
  params.set('where', where);
  return undefined;
}

function timeOnly(value: Date | string, name: string): string {
  const position = resolvePosition(value, name);
  if (position.kind === 'cursor')
    throw new FirehoseError(
      'INVALID_CONFIG',
      `search() ${name} must be a Date, an ISO 8601 time or a duration like 2h; to continue after a page, pass its next as cursor.`,
      { path: name },
    );
  return position.time;
}

/**
 * A client for a broker's history API alone, without an MQTT connection (scripts, `firehose history`).
 * `url` is the broker's HTTP listener, e.g. `http://broker.example:9090`.
 * @throws FirehoseError `INVALID_CONFIG` for a URL that is not http(s)
 */
export function createHistoryClient(url: string, options?: HistoryClientOptions): HistoryClient {
  return new HistoryClient(url, options);
}
