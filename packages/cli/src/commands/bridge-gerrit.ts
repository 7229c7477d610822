import { createInterface } from 'node:readline';
import { isFirehoseError } from '@firehose/protocol';
import { getService } from '@firehose/schema';
import { brokerUrl, connectOnce, credentials } from '../broker-connection.js';
import type { CommandImplementation } from '../command.js';
import { BRIDGE_LOG_LEVELS } from '../definitions/shared-options.js';
import { ExitCode } from '../exit-codes.js';
import { UsageError } from '../usage-error.js';
import { bridgeGerritEvent, type BridgedEvent } from '../gerrit-events.js';
import { runGerritStream, type LineOrigin } from '../gerrit-stream.js';
import { createLogger } from '../logger.js';
import { useColour } from '../output/colour.js';

/** Recent event ids kept to drop what the events-log replay and the new stream both carry. */
const SEEN_IDS = 100_000;

export const implementation: CommandImplementation = {
  async run(context) {
    const { args, env, stdin, stdout, stderr, signal } = context;
    const logger = createLogger({
      level: args.choice('log-level', BRIDGE_LOG_LEVELS, 'info'),
      stream: stderr,
      colour: useColour('auto', env, stderr),
    });
    const source = args.string('source') ?? getService('gerrit')?.source ?? 'https://review.opendev.org';
    const buffer = args.integer('buffer', { min: 1 }) ?? 10_000;
    const maxWait = args.duration('max-wait') ?? 300_000;
    const qos = Number(args.choice('qos', ['0', '1'], '1')) as 0 | 1;
    const dryRun = args.boolean('dry-run');
    const counts = { published: 0, invalid: 0, dropped: 0, unknown: 0, duplicates: 0, replayed: 0 };
    const command = streamCommand(
      args.string('ssh'),
      args.integer('ssh-port', { min: 1, max: 65_535 }) ?? 29_418,
      args.string('command'),
    );
    const eventsLogUrl = args.string('events-log');
    if (eventsLogUrl !== undefined && !/^https?:\/\/[^/]/.test(eventsLogUrl))
      throw new UsageError(
        `--events-log must be Gerrit's http(s) URL, e.g. https://review.example.org; got '${eventsLogUrl}'.`,
      );
    if (eventsLogUrl !== undefined && command === undefined)
      throw new UsageError(
        '--events-log needs --ssh or --command: only a bridge that owns the stream knows when it dropped.',
      );
    const backoffMax = args.duration('backoff-max') ?? 60_000;

    const client = dryRun
      ? undefined
      : await connectOnce(brokerUrl(context), {
          ...(await credentials(context)),
          offlineQueueSize: buffer,
          publishTimeout: maxWait,
          logger,
        });
    client?.on('state', (state, previous) => {
      if (state === 'reconnecting')
        logger.warn(`lost the broker; buffering up to ${buffer} events while reconnecting`);
      else if (state === 'connected' && previous === 'reconnecting')
        logger.info('reconnected to the broker; sending buffered events');
    });
    const pending = new Set<Promise<void>>();
    const send = (bridged: BridgedEvent): void => {
      if (client === undefined) {
        stdout.write(`${JSON.stringify({ topic: bridged.topic, event: bridged.event })}\n`);
        counts.published += 1;
        return;
      }
      if (pending.size >= buffer) {
        counts.dropped += 1;
        logger.warn({ topic: bridged.topic }, 'buffer full, event dropped');
        return;
      }
      // Not awaited: MQTT.js keeps publishes in order on the one connection, and awaiting each
      // PUBACK would cap the bridge at one event per round trip.
      const promise = client
        .publishRaw(bridged.topic, JSON.stringify(bridged.event), { qos })
        .then(
          () => {
            counts.published += 1;
          },
          (error: unknown) => {
            counts.dropped += 1;
            logger.warn(
              { topic: bridged.topic, err: error instanceof Error ? error.message : String(error) },
              'event dropped',
            );
          },
        )
        .finally(() => pending.delete(promise));
      pending.add(promise);
    };

    // Deterministic ids make a replayed event recognisable; only a bridge that owns the stream
    // replays, so stdin keeps its one-line-one-publish behaviour.
    const seen = command === undefined ? undefined : new Set<string>();
    let newest: number | undefined;
    let number = 0;
    const handle = (line: string, origin: LineOrigin): void => {
      number += 1;
      if (line.trim() === '') return;
      let bridged: BridgedEvent;
      try {
        const data = JSON.parse(line) as unknown;
        bridged = bridgeGerritEvent(data, source);
        const created = (data as { eventCreatedOn?: unknown }).eventCreatedOn;
        if (typeof created === 'number' && created > (newest ?? 0)) newest = created;
      } catch (error) {
        counts.invalid += 1;
        const path = isFirehoseError(error) && error.path !== undefined ? ` at ${error.path}` : '';
        logger.warn(
          { line: number },
          `line ${number} skipped${path}: ${error instanceof Error ? error.message : String(error)}`,
        );
        return;
      }
      if (seen !== undefined) {
        if (seen.has(bridged.event.id)) {
          counts.duplicates += 1;
          return;
        }
        seen.add(bridged.event.id);
        if (seen.size > SEEN_IDS) seen.delete(seen.values().next().value!);
      }
      if (origin === 'events-log') counts.replayed += 1;
      if (bridged.unknownType) {
        counts.unknown += 1;
        logger.warn(
          { line: number, topic: bridged.topic },
          `unknown Gerrit event type ${bridged.event.type}: published and flagged`,
        );
      }
      send(bridged);
    };

    try {
      if (command !== undefined) {
        logger.info({ command: command.join(' ') }, 'bridging gerrit stream-events');
        await runGerritStream({
          command,
          onLine: handle,
          logger,
          signal,
          initialDelay: Math.min(1000, backoffMax),
          maxDelay: backoffMax,
          lastEventTime: () => newest,
          eventsLog:
            eventsLogUrl === undefined
              ? undefined
              : { url: eventsLogUrl, user: args.string('events-log-user'), password: env.gerritHttpPassword },
        });
      } else {
        const lines = createInterface({ input: stdin, crlfDelay: Infinity });
        const stop = (): void => lines.close();
        signal.addEventListener('abort', stop, { once: true });
        try {
          for await (const line of lines) {
            handle(line, 'stream');
            if (signal.aborted) break;
          }
        } finally {
          signal.removeEventListener('abort', stop);
        }
      }
    } finally {
      await Promise.allSettled([...pending]);
      await client?.close().catch(() => undefined);
    }
    const unknown = counts.unknown > 0 ? ` (${counts.unknown} of an unknown type, flagged)` : '';
    const verb = dryRun ? 'converted' : 'published';
    stderr.write(
      `firehose bridge gerrit: ${counts.published} ${verb}${unknown}, ${counts.invalid} invalid, ${counts.dropped} dropped${seen === undefined ? '' : `, ${counts.replayed} replayed from events-log, ${counts.duplicates} duplicates skipped`}\n`,
    );
    return counts.dropped > 0 ? ExitCode.error : ExitCode.ok;
  },
};

/** The command that streams events, from --ssh or --command; undefined means stdin. */
function streamCommand(
  ssh: string | undefined,
  port: number,
  command: string | undefined,
): string[] | undefined {
  if (ssh !== undefined && command !== undefined)
    throw new UsageError('Give --ssh or --command, not both: --command is the whole stream command.');
  if (command !== undefined) {
    const words = command
      .trim()
      .split(/\s+/)
      .filter((word) => word !== '');
    if (words.length === 0)
      throw new UsageError('--command must name a program, e.g. "ssh bot@host gerrit stream-events".');
    return words;
  }
  if (ssh === undefined) return undefined;
  if (!/^[^\s@]+@[^\s@]+$/.test(ssh) && !/^[^\s@-][^\s@]*$/.test(ssh))
    throw new UsageError(`--ssh must be USER@HOST or HOST, e.g. bot@review.example.org; got '${ssh}'.`);
  // BatchMode: a bridge has nobody to type a password; ServerAlive: notice a dead link within a minute.
  return [
    'ssh',
    '-p',
    String(port),
    '-o',
    'BatchMode=yes',
    '-o',
    'ServerAliveInterval=20',
    '-o',
    'ServerAliveCountMax=3',
    ssh,
    'gerrit',
    'stream-events',
  ];
}
