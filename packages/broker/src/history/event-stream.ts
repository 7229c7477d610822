import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HistoryStore } from './history-store.js';
import { encodeCursor } from './cursor.js';
import type { RecordTest } from './event-filter.js';
import type { LiveEvent, LiveHub, LiveReader } from './live-hub.js';
import type { ArchiveQuery, EventFilters } from './query.js';

/** Live events a stream holds while it is still sending the archive; past it the reader is cut. */
const LIVE_BUFFER = 50_000;
/** Bytes queued on a stream's socket, at most; past it the reader is too slow and is cut. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** Rows per archive page while catching up. */
const PAGE = 1000;

export interface StreamSetup {
  archive: HistoryStore;
  hub: LiveHub;
  /** Whether this reader may receive the topic over MQTT. */
  mayRead(topic: string): boolean;
  filters: EventFilters;
  /** The filters the archive does not apply itself (`where`), and all of them for live events. */
  archiveTest: RecordTest | undefined;
  liveTest: RecordTest;
  /** Where to start: after a cursor, or from a time; neither: live only. */
  since: { after: bigint } | { from: number } | undefined;
  heartbeatMs: number;
  /** Runs once when the stream ends, however it ends. */
  onEnd(): void;
}

/** SSE `data:` lines: a line break inside the JSON (whitespace) starts another `data:` line. */
function frame(seq: bigint, topic: string, text: string): string {
  const cursor = encodeCursor(seq);
  const body = /[\r\n]/.test(text) ? text.replace(/\r\n|\r|\n/g, '\ndata: ') : text;
  return `id: ${cursor}\ndata: {"cursor":"${cursor}","topic":${JSON.stringify(topic)},"event":${body}}\n\n`;
}

function parsed(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * One `GET /v1/stream` reader (docs/architecture.md#history). It joins the live hub first, in the
 * same synchronous step that reads the last issued sequence number H: every later event reaches it
 * live (buffered meanwhile), and the archive is paged for what lies after `since` up to H. Archive
 * then buffer then live: nothing missing, nothing twice, in sequence order.
 */
export class EventStream implements LiveReader {
  readonly #setup: StreamSetup;
  readonly #res: ServerResponse;
  #phase: 'archive' | 'live' | 'ended' = 'archive';
  #buffer: LiveEvent[] = [];
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(setup: StreamSetup, req: IncomingMessage, res: ServerResponse) {
    this.#setup = setup;
    this.#res = res;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    res.write(': firehose history stream\n\n');
    const end = (): void => this.#end();
    req.on('close', end);
    res.on('close', end);
    res.on('error', end);
    this.#heartbeat = setInterval(() => this.#write(': heartbeat\n\n'), setup.heartbeatMs);
    this.#heartbeat.unref();
    // Synchronously together: what is after `handover` comes live, what is up to it from the archive.
    setup.hub.add(this);
    const handover = setup.archive.lastSeq;
    void this.#catchUp(handover).catch(() => this.#cut());
  }

  deliver(event: LiveEvent): void {
    if (this.#phase === 'ended') return;
    const envelope = event.event;
    // Not JSON: not archived, so not streamed either (a resumed reader would not see it).
    if (envelope === null || !this.#setup.mayRead(event.topic)) return;
    if (!this.#setup.liveTest({ topic: event.topic, event: envelope })) return;
    if (this.#phase === 'archive') {
      this.#buffer.push(event);
      if (this.#buffer.length > LIVE_BUFFER) this.#cut();
      return;
    }
    this.#write(frame(event.seq, event.topic, event.text));
  }

  async #catchUp(handover: bigint): Promise<void> {
    const { archive, since, filters } = this.#setup;
    if (since !== undefined) {
      await archive.settled(handover);
      let after = 'after' in since ? since.after : undefined;
      const bounds = await archive.bounds();
      const dropped = bounds.droppedThrough ?? 0n;
      const tooOld =
        dropped > 0n &&
        ('after' in since
          ? since.after < dropped
          : bounds.oldestTime !== undefined && since.from < bounds.oldestTime);
      if (tooOld && bounds.oldest !== undefined) {
        this.#write(`event: reset\ndata: {"oldest":"${encodeCursor(bounds.oldest)}"}\n\n`);
        after = bounds.oldest - 1n;
      }
      const { where: _where, ...indexed } = filters;
      for (;;) {
        if (this.#phase === 'ended') return;
        const query: ArchiveQuery = {
          ...indexed,
          ...(after === undefined && 'from' in since ? { from: since.from } : {}),
          ...(after === undefined ? {} : { after }),
          until: handover,
          order: 'asc',
          limit: PAGE,
          scanBudget: 200_000,
          timeBudgetMs: 250,
        };
        const page = await archive.search(query);
        for (const row of page.rows) {
          if (!this.#setup.mayRead(row.topic)) continue;
          const test = this.#setup.archiveTest;
          if (test !== undefined) {
            const event = parsed(row.event);
            if (event === null || !test({ topic: row.topic, event })) continue;
          }
          this.#write(frame(row.seq, row.topic, row.event));
        }
        if (page.next === null) break;
        after = page.next;
        if (this.#res.writableNeedDrain) await this.#drained();
      }
    }
    if (this.#phase === 'ended') return;
    const buffered = this.#buffer;
    this.#buffer = [];
    this.#phase = 'live';
    for (const event of buffered) this.#write(frame(event.seq, event.topic, event.text));
  }

  #drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#res.off('drain', done);
        this.#res.off('close', done);
        resolve();
      };
      this.#res.on('drain', done);
      this.#res.on('close', done);
    });
  }

  #write(text: string): void {
    if (this.#phase === 'ended') return;
    this.#res.write(text);
    // A reader that does not keep up is cut; it resumes with Last-Event-ID, losing nothing.
    if (this.#res.writableLength > MAX_QUEUED_BYTES) this.#cut();
  }

  #cut(): void {
    this.#end();
    this.#res.destroy();
  }

  #end(): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'ended';
    this.#buffer = [];
    clearInterval(this.#heartbeat);
    this.#setup.hub.delete(this);
    this.#setup.onEnd();
  }
}
