import { createInterface } from 'node:readline';
import { isFirehoseError } from '@firehose/protocol';
import { getService } from '@firehose/schema';
import { CONNECTION_OPTIONS, brokerUrl, connectOnce, credentials } from '../broker-connection.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { bridgeGerritEvent, type BridgedEvent } from '../gerrit-events.js';
import { createLogger } from '../logger.js';
import { useColour } from '../output/colour.js';

const LEVELS = ['error', 'warn', 'info', 'debug', 'silent'] as const;

export const bridgeGerritCommand: Command = {
  name: ['bridge', 'gerrit'],
  summary: 'publish Gerrit stream-events (JSON lines on stdin) as firehose events',
  usage: 'bridge gerrit [options] < stream-events',
  examples: [
    {
      command: 'bridge gerrit -u gerrit < <(ssh -p 29418 bot@review.example gerrit stream-events)',
      description: 'the germqtt replacement: one connection, ids derived from each event',
    },
    {
      command: 'bridge gerrit --dry-run < fixtures/gerrit-stream-events.jsonl',
      description: 'print {topic, event} lines instead of publishing',
    },
  ],
  options: {
    ...CONNECTION_OPTIONS,
    source: {
      type: 'string',
      value: 'URI',
      description: "Envelope source: your Gerrit's URL (default: the schema's gerrit source).",
    },
    buffer: {
      type: 'string',
      value: 'N',
      description: 'Events held while the broker is unreachable; beyond that they are dropped and counted.',
      default: '10000',
    },
    'max-wait': {
      type: 'string',
      value: 'DURATION',
      description: 'How long a buffered event may wait for the broker before it is dropped.',
      default: '5m',
    },
    qos: { type: 'string', value: '0|1', description: 'Publish QoS.', default: '1' },
    'dry-run': {
      type: 'boolean',
      description: 'Convert and print {topic, event} NDJSON on stdout; no broker needed.',
    },
    'log-level': { type: 'string', value: 'LEVEL', description: LEVELS.join('|'), default: 'info' },
  },
  details: `Each line becomes gerrit/<project…>/<type> (project levels kept, special characters
percent-encoded) in a CloudEvents envelope whose id is derived from the event, so a replayed line
is recognisable as a duplicate. Unknown event types are published on their topic and flagged;
lines that fail their schema are counted as invalid and skipped. On EOF or SIGTERM the bridge
waits for pending publishes and prints: published, invalid, dropped (stderr). Exit 1 if any were dropped.`,
  async run(context) {
    const { args, env, stdin, stdout, stderr, signal } = context;
    const logger = createLogger({
      level: args.choice('log-level', LEVELS, 'info'),
      stream: stderr,
      colour: useColour('auto', env, stderr),
    });
    const source = args.string('source') ?? getService('gerrit')?.source ?? 'https://review.opendev.org';
    const buffer = args.integer('buffer', { min: 1 }) ?? 10_000;
    const maxWait = args.duration('max-wait') ?? 300_000;
    const qos = Number(args.choice('qos', ['0', '1'], '1')) as 0 | 1;
    const dryRun = args.boolean('dry-run');
    const counts = { published: 0, invalid: 0, dropped: 0, unknown: 0 };

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

    const lines = createInterface({ input: stdin, crlfDelay: Infinity });
    const stop = (): void => lines.close();
    signal.addEventListener('abort', stop, { once: true });
    let number = 0;
    try {
      for await (const line of lines) {
        number += 1;
        if (line.trim() === '') continue;
        let bridged: BridgedEvent;
        try {
          bridged = bridgeGerritEvent(JSON.parse(line) as unknown, source);
        } catch (error) {
          counts.invalid += 1;
          const path = isFirehoseError(error) && error.path !== undefined ? ` at ${error.path}` : '';
          logger.warn(
            { line: number },
            `line ${number} skipped${path}: ${error instanceof Error ? error.message : String(error)}`,
          );
          continue;
        }
        if (bridged.unknownType) {
          counts.unknown += 1;
          logger.warn(
            { line: number, topic: bridged.topic },
            `unknown Gerrit event type ${bridged.event.type}: published and flagged`,
          );
        }
        send(bridged);
        if (signal.aborted) break;
      }
    } finally {
      signal.removeEventListener('abort', stop);
      await Promise.allSettled([...pending]);
      await client?.close().catch(() => undefined);
    }
    const unknown = counts.unknown > 0 ? ` (${counts.unknown} of an unknown type, flagged)` : '';
    const verb = dryRun ? 'converted' : 'published';
    stderr.write(
      `firehose bridge gerrit: ${counts.published} ${verb}${unknown}, ${counts.invalid} invalid, ${counts.dropped} dropped\n`,
    );
    return counts.dropped > 0 ? ExitCode.error : ExitCode.ok;
  },
};
