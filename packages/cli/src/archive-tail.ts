import type { HistoryEvent, HistoryStream } from '@firehose/client';
import { FirehoseError } from '@firehose/protocol';
import type { CommandContext } from './command.js';
import { watchConnection } from './connection-notices.js';
import { matchesPersonAndChange, type EventSelection } from './event-selection.js';
import { ExitCode } from './exit-codes.js';
import { historyFailure, historyUrl, openHistory } from './history-access.js';
import { historySelection } from './history-query.js';
import { fromHistory } from './history-record.js';
import type { KnownServices } from './known-services.js';
import type { Formatter } from './output/formatters.js';
import { TimeoutExpired } from './usage-error.js';

export interface ArchiveTailOptions {
  readonly selection: EventSelection;
  /** Where `selection`'s service was looked up (built-in, or the broker's). */
  readonly known: KnownServices;
  readonly formatter: Formatter;
  /** `--since` as typed: a duration, an ISO time or a cursor. */
  readonly since: string;
  readonly count: number | undefined;
  readonly timeout: number | undefined;
}

/**
 * `tail --since`: the broker's `/v1/stream` from that point, archive then live. The broker hands over
 * from its archive to live delivery itself (docs/architecture.md#history), so the seam has no gap and
 * no duplicate; a dropped stream resumes by `Last-Event-ID` after the last event printed.
 */
export async function tailFromArchive(context: CommandContext, options: ArchiveTailOptions): Promise<number> {
  const { args, stdout, stderr, signal } = context;
  const { selection, formatter, count, timeout } = options;
  const { query, accepts } = historySelection(selection, options.known);
  const url = historyUrl(context);
  const history = await openHistory(context, options.known);
  const quiet = args.boolean('quiet');
  const exitOnDisconnect = args.boolean('exit-on-disconnect');
  const controller = new AbortController();
  const stream: HistoryStream<HistoryEvent> = history.history(query, {
    since: options.since,
    live: true,
    signal: controller.signal,
    ...(selection.where === undefined ? {} : { where: selection.where }),
  });
  let printed = 0;
  let ending: Error | undefined;
  const stop = (error?: Error): void => {
    ending ??= error;
    controller.abort();
  };
  const onAbort = (): void => stop();
  signal.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeout === undefined
      ? undefined
      : setTimeout(() => {
          const progress = count === undefined ? `${printed} events` : `${printed} of ${count} events`;
          stop(new TimeoutExpired(`--timeout ${args.string('timeout') ?? ''} expired after ${progress}.`));
        }, timeout);
  const unwatch = exitOnDisconnect
    ? undefined
    : watchConnection(stream, {
        label: 'firehose tail',
        url,
        write: (line) => stderr.write(line),
        quiet,
        whileLost: 'nothing is missed: the stream resumes after the last event printed',
        onBack: () =>
          `resumed after ${stream.cursor === undefined ? 'the start' : `cursor ${stream.cursor}`}, nothing missed`,
      });
  stream.on('state', (state, previous) => {
    if (state === 'connected' && previous === 'connecting' && !quiet)
      stderr.write(`firehose tail: reading ${url} from ${options.since}, then live\n`);
    if (state === 'reconnecting' && exitOnDisconnect)
      stop(
        new FirehoseError(
          'CONNECTION_FAILED',
          `lost the history stream ${url} after ${printed} events; exiting (--exit-on-disconnect). Resume with --since ${stream.cursor ?? options.since}.`,
        ),
      );
  });
  stream.on('reset', ({ oldest }) =>
    stderr.write(
      `firehose tail: --since ${options.since} is older than the broker's archive keeps; continuing from its oldest event (cursor ${oldest}); older events are gone.\n`,
    ),
  );
  try {
    for await (const event of stream) {
      const record = fromHistory(event, options.known.catalogue);
      if (!accepts(record.topic) || !matchesPersonAndChange(selection, record)) continue;
      stdout.write(formatter(record));
      printed += 1;
      if (printed === count) break;
    }
  } catch (error) {
    if (ending === undefined) throw historyFailure(error);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    unwatch?.();
    await stream.return();
  }
  if (ending !== undefined) throw ending;
  return ExitCode.ok;
}
