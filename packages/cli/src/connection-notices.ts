import type { ClientState, RetryInfo } from '@firehose/client';

/** What reports a connection: a `FirehoseClient`, or the `HistoryStream` of `tail --since`. */
interface ConnectionEmitter {
  on(event: 'state', listener: (state: ClientState, previous: ClientState) => void): unknown;
  on(event: 'retry', listener: (retry: RetryInfo) => void): unknown;
  off(event: 'state', listener: (state: ClientState, previous: ClientState) => void): unknown;
  off(event: 'retry', listener: (retry: RetryInfo) => void): unknown;
}

/** The outage a reconnecting command just came back from. */
interface Gap {
  /** When the connection dropped. */
  readonly since: Date;
  /** When it was back. */
  readonly until: Date;
}

export interface ConnectionNoticeOptions {
  /** Prefix of every line, e.g. `firehose tail`. */
  readonly label: string;
  readonly url: string;
  /** Where the notices go (stderr): one line per call, ending in a newline. */
  write(line: string): void;
  /**
   * Leave out the per-attempt lines; the "lost" and "back" lines are always written, because
   * they say that events were missed. @default false
   */
  readonly quiet?: boolean;
  /**
   * What happens to the events published while the connection is down, as the end of the "lost" line.
   * @default "events published until it is back are missed"
   */
  readonly whileLost?: string;
  /**
   * What happened to the events published during the gap, as the end of the "back" line. This is
   * where a command that can resume (from a history cursor) says so.
   * @default "events published in that time were missed"
   */
  readonly onBack?: (gap: Gap) => string;
  /** @default Date.now */
  readonly now?: () => number;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
const clock = (date: Date): string => date.toISOString().slice(11, 19);

/**
 * Says on stderr when a long-running command loses its broker, each retry (attempt, next try) and
 * when it is back with how long it was gone: a subscriber that goes silent without a word lets its
 * user believe nothing happened. Returns a function that stops watching.
 */
export function watchConnection(client: ConnectionEmitter, options: ConnectionNoticeOptions): () => void {
  const now = options.now ?? Date.now;
  const { label, url } = options;
  let since: Date | undefined;
  const onState = (state: ClientState, previous: ClientState): void => {
    if (state === 'reconnecting' && previous === 'connected') {
      since = new Date(now());
      options.write(
        `${label}: lost the connection to ${url} at ${clock(since)} UTC; ${options.whileLost ?? 'events published until it is back are missed'}. Reconnecting…\n`,
      );
    } else if (state === 'connected' && since !== undefined) {
      const gap = { since, until: new Date(now()) };
      since = undefined;
      const outcome = options.onBack?.(gap) ?? 'events published in that time were missed';
      options.write(
        `${label}: back on ${url} after ${seconds(gap.until.getTime() - gap.since.getTime())}; ${outcome}.\n`,
      );
    }
  };
  const onRetry = (retry: RetryInfo): void => {
    if (options.quiet === true) return;
    const gone = since === undefined ? '' : `, gone ${seconds(now() - since.getTime())}`;
    options.write(
      `${label}: reconnecting to ${retry.url}: attempt ${retry.attempt}, next try in ${seconds(retry.delay)}${gone}.\n`,
    );
  };
  client.on('state', onState);
  client.on('retry', onRetry);
  return () => {
    client.off('state', onState);
    client.off('retry', onRetry);
  };
}
