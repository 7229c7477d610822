import type { Command } from '../command.js';
import { TEMPLATE_HELP } from '../output/template.js';
import {
  CONNECTION_OPTIONS,
  HISTORY_URL_OPTION,
  SELECTION_OPTIONS,
  WHERE_HELP,
  OUTPUT_OPTIONS,
  FORMATS_HELP,
} from './shared-options.js';

export const tailCommand: Command = {
  name: ['tail'],
  aliases: ['sub'],
  summary: 'print events as they arrive (pretty, terse, json, ndjson or a template)',
  usage: 'tail [options] [filter…]',
  examples: [
    { command: 'tail', description: 'everything on mqtt://localhost:1883, one coloured line per event' },
    {
      command: 'tail --service gerrit --project openstack/nova --event comment-added',
      description: "Nova's review comments; the filters come from the schema, no topic syntax needed",
    },
    {
      command: "tail -o terse --where 'data.change.branch = master'",
      description: 'one English sentence per event on master',
    },
    {
      command: 'tail -o ndjson --count 10 | jq .event.type',
      description: 'ten events as JSON lines, then exit 0',
    },
    {
      command: "tail -o '{time} {service} {data.change.number} {summary}' 'zuul/#'",
      description: 'your own columns',
    },
    {
      command: 'tail --group log-workers -o ndjson zuul/#',
      description: 'run several: each event reaches one of them (a shared subscription)',
    },
    {
      command: 'tail --since 2h --service zuul -o terse',
      description:
        "the last two hours of Zuul from the broker's archive, then live, with nothing missed at the seam",
    },
    {
      command: 'tail --since 07c254000000127a -o ndjson',
      description: 'resume right after the event with that cursor (a cursor from history or from -o ndjson)',
    },
    {
      command: 'tail --url wss://firehose.example/mqtt --sys',
      description: "include the broker's $SYS/$firehose topics",
    },
  ],
  options: {
    ...CONNECTION_OPTIONS,
    ...HISTORY_URL_OPTION,
    ...SELECTION_OPTIONS,
    ...OUTPUT_OPTIONS,
    since: {
      type: 'string',
      value: 'TIME|CURSOR',
      description:
        "Start in the broker's archive: 2h, 30m, 7d back, an ISO 8601 time, or a cursor (history, -o ndjson); then live, gaplessly.",
    },
    count: { type: 'string', short: 'n', value: 'N', description: 'Exit 0 after N events.' },
    timeout: { type: 'string', value: 'DURATION', description: 'Give up after this long (10s, 2m): exit 3.' },
    sys: {
      type: 'boolean',
      description: "Also subscribe to and show the broker's $SYS/# and $firehose/# topics.",
    },
    qos: { type: 'string', value: '0|1|2', description: 'Subscription QoS.', default: '1' },
    group: {
      type: 'string',
      short: 'g',
      value: 'NAME',
      description:
        'Share the stream with the other tails of this group: each event goes to one of them ($share/NAME/…).',
    },
    quiet: {
      type: 'boolean',
      description:
        'No diagnostics on stderr (the "subscribed to" line, invalid-message notes, reconnect attempts).',
    },
    'exit-on-disconnect': {
      type: 'boolean',
      description: 'Exit 1 when the connection drops instead of reconnecting (for scripts).',
    },
  },
  positionals: { min: 0, max: Number.MAX_SAFE_INTEGER },
  details: `${FORMATS_HELP}
Colour: each service has a stable colour and a [service] prefix; red marks failures only.
Topics under $SYS and $firehose are hidden unless --sys is given or a filter starts with '$'.
Non-envelope or schema-invalid messages are still shown, flagged (diagnostics go to stderr in json/ndjson).
Connection: when the broker goes away, stderr says so at once (events published meanwhile are missed),
  then each reconnect attempt and when to expect the next, then 'back on URL after N s'.
  --exit-on-disconnect exits 1 instead, so a script can restart or alert.
--since: reads the broker's history API instead of subscribing over MQTT (--history-url, by default the
  broker's host on port 9090): the archive from that point, then live events; the broker hands over
  from archive to live itself, so nothing is missed, repeated or reordered at the seam. A dropped
  stream resumes after the last event printed (nothing missed). json/ndjson records carry a cursor;
  pass the last one as --since to continue after it. Not with --group, --qos or --sys.

${WHERE_HELP}

${TEMPLATE_HELP}`,
  // The implementation (and what it imports) loads only when the command runs: not for --help.
  run: async (context) => (await import('../commands/tail.js')).implementation.run(context),
};
