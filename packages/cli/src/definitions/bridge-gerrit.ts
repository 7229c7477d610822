import type { Command } from '../command.js';
import { BRIDGE_LOG_LEVELS, CONNECTION_OPTIONS } from './shared-options.js';

export const bridgeGerritCommand: Command = {
  name: ['bridge', 'gerrit'],
  summary: 'publish Gerrit stream-events as firehose events (owns the ssh stream, or reads stdin)',
  usage: 'bridge gerrit [options] [--ssh USER@HOST | --command CMD | < stream-events]',
  examples: [
    {
      command: 'bridge gerrit -u gerrit --ssh bot@review.example --events-log https://review.example',
      description:
        'own the stream: reconnect with backoff, replay what was missed from the events-log plugin',
    },
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
    ssh: {
      type: 'string',
      value: 'USER@HOST',
      description: 'Run `ssh -p PORT USER@HOST gerrit stream-events` and reconnect whenever it ends.',
    },
    'ssh-port': { type: 'string', value: 'PORT', description: "Gerrit's SSH port.", default: '29418' },
    command: {
      type: 'string',
      value: 'CMD',
      description:
        'The stream command instead of --ssh (split on spaces), e.g. "ssh -i key bot@host gerrit stream-events".',
    },
    'events-log': {
      type: 'string',
      value: 'URL',
      description:
        "Gerrit's URL: after a reconnect, fetch the events missed meanwhile from the events-log plugin (/plugins/events-log/events/?t1=).",
    },
    'events-log-user': {
      type: 'string',
      value: 'USER',
      description:
        'HTTP user for events-log (the authenticated /a/ path); its password comes from GERRIT_HTTP_PASSWORD.',
    },
    'backoff-max': {
      type: 'string',
      value: 'DURATION',
      description: 'Longest wait between reconnects (full jitter, doubling from 1s).',
      default: '60s',
    },
    'dry-run': {
      type: 'boolean',
      description: 'Convert and print {topic, event} NDJSON on stdout; no broker needed.',
    },
    'log-level': {
      type: 'string',
      value: 'LEVEL',
      description: BRIDGE_LOG_LEVELS.join('|'),
      default: 'info',
    },
  },
  details: `Each line becomes gerrit/<project…>/<type> (project levels kept, special characters
percent-encoded) in a CloudEvents envelope whose id is derived from the event, so a replayed line
is recognisable as a duplicate. Unknown event types are published on their topic and flagged;
lines that fail their schema are counted as invalid and skipped. On EOF or SIGTERM the bridge
waits for pending publishes and prints: published, invalid, dropped (stderr). Exit 1 if any were dropped.

With --ssh or --command the bridge owns the stream: when the command ends it is started again
after a random delay below a doubling ceiling (1s, 2s, ... --backoff-max), until SIGTERM. With
--events-log, each reconnect first fetches the events created since the newest one seen; events
seen twice (same deterministic id) are published once and counted as duplicates.`,
  // The implementation (and what it imports) loads only when the command runs: not for --help.
  run: async (context) => (await import('../commands/bridge-gerrit.js')).implementation.run(context),
};
