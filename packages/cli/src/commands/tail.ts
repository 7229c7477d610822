import type { ClientState, InvalidEvent, ReceivedEvent } from '@firehose/client';
import { FirehoseError } from '@firehose/protocol';
import type { Catalogue } from '@firehose/schema';
import { tailFromArchive } from '../archive-tail.js';
import { brokerUrl, connectOnce, credentials } from '../broker-connection.js';
import type { CommandImplementation } from '../command.js';
import { watchConnection } from '../connection-notices.js';
import { matchesPersonAndChange, readSelection, type EventSelection } from '../event-selection.js';
import { ExitCode } from '../exit-codes.js';
import { streamPosition } from '../history-access.js';
import { servicesForHistory } from '../history-services.js';
import { BUILT_IN, learnServices } from '../known-services.js';
import { readOutput } from '../output/output-options.js';
import type { TailRecord } from '../output/tail-record.js';
import { TimeoutExpired, UsageError } from '../usage-error.js';

export const implementation: CommandImplementation = {
  async run(context) {
    const { args, env, stdout, stderr, signal } = context;
    const count = args.integer('count', { min: 1 });
    const timeout = args.duration('timeout');
    const qos = args.choice('qos', ['0', '1', '2'], '1');
    const sys = args.boolean('sys');
    const group = args.string('group');
    if (group !== undefined && (group === '' || /[/+#]/.test(group)))
      throw new UsageError(
        `--group ${JSON.stringify(group)}: a group name is non-empty and has no /, + or #; e.g. --group log-workers.`,
      );
    // Every flag is checked before connecting; only a service the built-in ones lack waits for the
    // broker's $firehose/services record.
    const checked = readSelection(args, { sys, known: BUILT_IN, deferUnknownService: true });
    const { formatter, machine } = readOutput(args, env, stdout);
    const since = args.string('since');
    if (since !== undefined) {
      for (const flag of ['group', 'qos', 'sys'])
        if (args.has(flag))
          throw new UsageError(
            `--since reads the broker's archive over HTTP, which has no --${flag}; drop one of them.`,
          );
      // Over HTTP, but a site's own service is looked up in the broker's catalogue first.
      const known = await servicesForHistory(context, 'firehose tail');
      return tailFromArchive(context, {
        selection: readSelection(args, { sys, known }),
        known,
        formatter,
        since: streamPosition(since),
        count,
        timeout,
      });
    }
    const url = brokerUrl(context);
    const client = await connectOnce(url, {
      ...(await credentials(context)),
      dedupe: 10_000,
      // Someone is watching: retry at least every 5 s rather than the client's default 30 s.
      backoff: { maxDelay: 5000 },
    });
    let selection: EventSelection = checked;
    try {
      // The site's own services, with no rebuild: --service/--event expand from their topic
      // templates, and their events are validated and rendered by their declared rules.
      const known = await learnServices(client, url, (message) => {
        if (!args.boolean('quiet')) stderr.write(`firehose tail: warning: ${message}\n`);
      });
      if (checked.service !== undefined) selection = readSelection(args, { sys, known });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    const { filters, where, predicate } = selection;
    const showDollar = sys || filters.some((filter) => filter.startsWith('$'));
    let printed = 0;
    let finish: (code: number | Error) => void = () => undefined;
    const done = new Promise<number>((resolve, reject) => {
      finish = (code) => (typeof code === 'number' ? resolve(code) : reject(code));
    });
    // Settled before anyone awaits it (a timeout during subscribe): not an unhandled rejection.
    done.catch(() => undefined);
    const emit = (record: TailRecord): void => {
      if (printed === count) return;
      if (record.topic.startsWith('$') && !showDollar) return;
      if (!matchesPersonAndChange(selection, record)) return;
      // Each record is written on its own: pipes and files get it at once (flushed per record).
      stdout.write(formatter(record));
      printed += 1;
      if (printed === count) finish(ExitCode.ok);
    };
    client.on('invalid', (invalid: InvalidEvent) => {
      const record = fromInvalid(invalid, client.catalogue);
      if (
        predicate !== undefined &&
        !predicate({ ...(invalid.event ?? {}), topic: invalid.topic, params: {} })
      )
        return;
      // $SYS counters are plain numbers, not envelopes: nothing to warn about.
      if (machine && !args.boolean('quiet') && !invalid.topic.startsWith('$'))
        stderr.write(`firehose tail: ${invalid.topic}: ${record.problem ?? 'invalid'}\n`);
      emit(record);
    });
    client.on('error', (error: Error) => stderr.write(`firehose tail: ${error.message}\n`));
    const timer =
      timeout === undefined
        ? undefined
        : setTimeout(() => {
            const progress = count === undefined ? `${printed} events` : `${printed} of ${count} events`;
            finish(
              new TimeoutExpired(`--timeout ${args.string('timeout') ?? ''} expired after ${progress}.`),
            );
          }, timeout);
    const exitOnDisconnect = args.boolean('exit-on-disconnect');
    const unwatch = exitOnDisconnect
      ? undefined
      : watchConnection(client, {
          label: 'firehose tail',
          url,
          write: (line) => stderr.write(line),
          quiet: args.boolean('quiet'),
        });
    const onState = (state: ClientState): void => {
      if (state === 'reconnecting' && exitOnDisconnect)
        finish(
          new FirehoseError(
            'CONNECTION_FAILED',
            `lost the connection to ${url} after ${printed} events; exiting (--exit-on-disconnect).`,
          ),
        );
    };
    client.on('state', onState);
    const onAbort = (): void => finish(ExitCode.ok);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      // `--service gerrit` alone is 21 event types × 4 project depths: subscribe in one round trip's time.
      await Promise.all(
        filters.map((filter) =>
          client.subscribe(
            filter,
            (received: ReceivedEvent) => emit(fromReceived(received, client.catalogue)),
            {
              qos: Number(qos) as 0 | 1 | 2,
              ...(where === undefined ? {} : { where }),
              ...(group === undefined ? {} : { group }),
            },
          ),
        ),
      );
      if (!args.boolean('quiet'))
        stderr.write(
          `firehose tail: subscribed to ${describeFilters(filters)}${group === undefined ? '' : ` in group ${group}`} on ${url}\n`,
        );
      return await done;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      unwatch?.();
      client.off('state', onState);
      await client.close().catch(() => undefined);
    }
  },
};

function fromReceived(received: ReceivedEvent, catalogue: Catalogue): TailRecord {
  return {
    catalogue,
    topic: received.topic,
    receivedAt: received.receivedAt,
    event: received.event,
    params: received.params,
    payload: received.payload,
    ...(received.eventType === undefined ? { problem: 'undeclared topic' } : {}),
  };
}

function fromInvalid(invalid: InvalidEvent, catalogue: Catalogue): TailRecord {
  const path = invalid.error.path === undefined ? '' : ` at ${invalid.error.path}`;
  return {
    catalogue,
    topic: invalid.topic,
    receivedAt: invalid.receivedAt,
    event: invalid.event,
    params: {},
    payload: invalid.payload,
    ...(invalid.topic.startsWith('$') ? {} : { problem: `${invalid.error.code}${path}` }),
  };
}

/** The filters for the "subscribed to" line; `--service gerrit` alone makes 84 of them. */
function describeFilters(filters: readonly string[]): string {
  if (filters.length <= 6) return filters.join(' ');
  return `${filters.length} filters (${filters.slice(0, 3).join(' ')} …)`;
}
