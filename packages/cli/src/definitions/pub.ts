import type { Command } from '../command.js';
import { CONNECTION_OPTIONS } from './shared-options.js';

export const pubCommand: Command = {
  name: ['pub'],
  summary: 'validate and publish events (JSON argument, file, or NDJSON on stdin); all or nothing',
  usage: 'pub [options] <topic> [data|-]   or   pub --service S --event E [--project P] [data|-]',
  examples: [
    {
      command: `pub -u gerrit gerrit/openstack/nova/comment-added '{"type":"comment-added",…}'`,
      description: 'wrap the data in an envelope (id, type, dataschema, subject from the schema) and publish',
    },
    {
      command:
        'pub -u gerrit --service gerrit --event comment-added --project openstack/nova --file event.json',
      description: 'the topic built from the schema; data from a file',
    },
    {
      command: 'pub -u zuul - < events.ndjson',
      description: 'NDJSON on stdin: one data object, envelope or tail record per line',
    },
    {
      command: 'tail -o ndjson -n 100 > saved.ndjson && firehose pub -u gerrit - < saved.ndjson',
      description: 'replay a capture',
    },
    {
      command: 'pub --dry-run gerrit/openstack/nova/comment-added --file event.json',
      description: 'validate and print the envelope only',
    },
  ],
  options: {
    ...CONNECTION_OPTIONS,
    service: {
      type: 'string',
      short: 's',
      value: 'NAME',
      description: 'Build the topic from this service… ',
    },
    event: {
      type: 'string',
      short: 'e',
      value: 'NAME',
      description: '…and this event type (see firehose schema show --list).',
    },
    project: {
      type: 'string',
      short: 'p',
      value: 'NAME',
      description: 'Topic parameter project (any depth).',
    },
    param: {
      type: 'string',
      multiple: true,
      value: 'K=V',
      description: 'Another topic parameter, e.g. --param change=912345.',
    },
    file: {
      type: 'string',
      short: 'f',
      value: 'FILE',
      description: 'Read data from FILE: one JSON document or NDJSON.',
    },
    qos: { type: 'string', short: 'q', value: '0|1|2', description: 'Publish QoS.', default: '1' },
    retain: { type: 'boolean', short: 'r', description: 'Ask the broker to retain the message.' },
    source: {
      type: 'string',
      value: 'URI',
      description: "Envelope source (default: the service's upstream URI).",
    },
    'dry-run': {
      type: 'boolean',
      description: 'Validate and print the envelopes as NDJSON; publish nothing.',
    },
    timeout: {
      type: 'string',
      value: 'DURATION',
      description:
        'Give up if connecting and publishing take longer (10s, 2m): exit 3, saying how many were published.',
    },
  },
  positionals: { min: 0, max: 2 },
  details: `Each input is service data (wrapped in an envelope), a full CloudEvents envelope, or a
{topic, event} record as 'firehose tail -o ndjson' prints. Every message is validated before the
first is sent: one invalid line means nothing is published (exit 1, with the line and JSON path).
The password comes from FIREHOSE_PASSWORD, else a prompt that does not echo.`,
  // The implementation (and what it imports) loads only when the command runs: not for --help.
  run: async (context) => (await import('../commands/pub.js')).implementation.run(context),
};
