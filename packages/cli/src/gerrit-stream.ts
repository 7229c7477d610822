import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { backoffDelay } from '@firehose/client';
import type { Logger } from 'pino';

/** Where a stream-events line came from: the live stream, or the events-log replay after a drop. */
export type LineOrigin = 'stream' | 'events-log';

/** Gerrit's events-log plugin, asked for what was missed while the stream was down. */
interface EventsLogSource {
  /** Gerrit's base URL, e.g. `https://review.example.org`. */
  readonly url: string;
  /** HTTP user for the authenticated `/a/` path; anonymous when undefined. */
  readonly user?: string | undefined;
  readonly password?: string | undefined;
}

export interface GerritStreamOptions {
  /** The program and its arguments, e.g. `['ssh', '-p', '29418', 'bot@review', 'gerrit', 'stream-events']`. */
  readonly command: readonly string[];
  readonly onLine: (line: string, origin: LineOrigin) => void;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Largest delay between reconnect attempts, ms. */
  readonly maxDelay: number;
  /** First delay ceiling, ms (full jitter below it). */
  readonly initialDelay: number;
  readonly eventsLog?: EventsLogSource | undefined;
  /** Unix seconds of the newest event seen (Gerrit's `eventCreatedOn`): where a replay starts. */
  readonly lastEventTime: () => number | undefined;
}

/** A connection that lasted this long was healthy: the next drop starts the backoff from scratch. */
const HEALTHY_MS = 10_000;

/**
 * `t1` for the events-log REST query: `yyyy-MM-ddTHH:mm:ss` in UTC, one second before the newest
 * event seen, so an event of the same second is fetched again and dropped by its id rather than lost.
 */
function eventsLogSince(unixSeconds: number): string {
  return new Date((unixSeconds - 1) * 1000).toISOString().slice(0, 19);
}

/** Parses the plugin's answer: Gerrit's `)]}'` guard, then a JSON array or one event per line. */
function eventsLogLines(body: string): string[] {
  const text = body.replace(/^\)\]\}'\s*/, '').trim();
  if (text.startsWith('[')) return (JSON.parse(text) as unknown[]).map((event) => JSON.stringify(event));
  return text.split('\n').filter((line) => line.trim() !== '');
}

async function fetchMissed(source: EventsLogSource, since: number, logger: Logger): Promise<string[]> {
  const base = source.url.replace(/\/+$/, '');
  const url = `${base}${source.user === undefined ? '' : '/a'}/plugins/events-log/events/?t1=${encodeURIComponent(eventsLogSince(since))}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (source.user !== undefined)
    headers.authorization = `Basic ${Buffer.from(`${source.user}:${source.password ?? ''}`).toString('base64')}`;
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
    if (!response.ok) {
      logger.warn(
        { status: response.status },
        `events-log answered ${response.status}: events missed while disconnected are not replayed`,
      );
      return [];
    }
    return eventsLogLines(await response.text());
  } catch (error) {
    logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'events-log unreachable: events missed while disconnected are not replayed',
    );
    return [];
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
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
 * Owns `gerrit stream-events`: spawns the command, hands each line on, and when it ends (ssh
 * dropped, Gerrit restarted) spawns it again after a full-jitter backoff, for as long as `signal`
 * is not aborted. After a reconnect, with `eventsLog`, the events created since the newest one seen
 * are fetched and handed on before the new stream's lines (held meanwhile); the caller drops the
 * overlap by the events' deterministic ids.
 */
export async function runGerritStream(options: GerritStreamOptions): Promise<void> {
  const { command, onLine, logger, signal } = options;
  let attempt = 0;
  let connections = 0;
  while (!signal.aborted) {
    connections += 1;
    const started = Date.now();
    const replayFrom = connections > 1 ? options.lastEventTime() : undefined;
    const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let lastError = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const text = chunk.trim();
      if (text !== '') lastError = text.split('\n').at(-1)!;
    });
    const exited = new Promise<string>((resolve) => {
      child.once('error', (error) => resolve(error.message));
      child.once('close', (code, sig) => resolve(sig === null ? `exit code ${code}` : `signal ${sig}`));
    });
    const kill = (): void => void child.kill('SIGTERM');
    signal.addEventListener('abort', kill, { once: true });

    // Live lines wait while the replay is fetched, so the replay comes first and order holds.
    let held: string[] | undefined =
      options.eventsLog !== undefined && replayFrom !== undefined ? [] : undefined;
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    const linesClosed = new Promise<void>((resolve) => lines.once('close', resolve));
    lines.on('line', (line) => {
      if (held !== undefined) held.push(line);
      else onLine(line, 'stream');
    });
    if (held !== undefined && options.eventsLog !== undefined && replayFrom !== undefined) {
      const missed = await fetchMissed(options.eventsLog, replayFrom, logger);
      logger.info(
        { events: missed.length },
        `events-log: ${missed.length} events since ${eventsLogSince(replayFrom)} replayed`,
      );
      for (const line of missed) onLine(line, 'events-log');
      const waiting = held;
      held = undefined;
      for (const line of waiting) onLine(line, 'stream');
    }
    const reason = await exited;
    await linesClosed;
    signal.removeEventListener('abort', kill);
    if (signal.aborted) return;
    if (Date.now() - started >= HEALTHY_MS) attempt = 0;
    const delay = backoffDelay(attempt, { initialDelay: options.initialDelay, maxDelay: options.maxDelay });
    attempt += 1;
    logger.warn(
      { command: command.join(' '), reason, stderr: lastError || undefined, delayMs: delay },
      `stream-events ended (${reason}${lastError === '' ? '' : `: ${lastError}`}); reconnecting in ${delay} ms`,
    );
    await sleep(delay, signal);
  }
}
