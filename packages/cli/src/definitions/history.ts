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

export const historyCommand: Command = {
  name: ['history'],
  summary: "search the broker's archive (same filters and formats as tail), one page at a time",
  usage: 'history [options] [filter]',
  examples: [
    {
      command: 'history --service gerrit --project openstack/nova --since 1d -o terse',
      description: "Nova's Gerrit events of the last day, newest first",
    },
    {
      command: "history --service zuul --where 'data.buildset.result = FAILURE' --limit 20",
      description: 'the 20 newest failed Zuul buildsets; stderr ends with the cursor of the next page',
    },
    {
      command: 'history --service zuul --limit 20 --cursor 07c254000000127a',
      description: 'the page after it (the cursor printed last time)',
    },
    {
      command: "history --change 912345 --order asc -o '{time} {sentence}'",
      description: 'everything about one change, oldest first, as your own columns',
    },
    {
      command:
        "history -o ndjson --since 2026-12-07T08:00:00Z --until 2026-12-07T09:00:00Z 'gerrit/#' > hour.ndjson",
      description: 'an hour of Gerrit as JSON lines (pub - reads them back)',
    },
  ],
  options: {
    ...CONNECTION_OPTIONS,
    ...HISTORY_URL_OPTION,
    ...SELECTION_OPTIONS,
    since: {
      type: 'string',
      value: 'TIME',
      description: 'Only events from this time: 2h, 30m, 7d back from now, or ISO 8601.',
    },
    until: { type: 'string', value: 'TIME', description: 'Only events up to this time (same forms).' },
    limit: { type: 'string', short: 'n', value: 'N', description: 'Print at most N events.', default: '100' },
    cursor: {
      type: 'string',
      value: 'CURSOR',
      description: 'Continue after a previous page: the cursor it printed on stderr.',
    },
    order: {
      type: 'string',
      value: 'desc|asc',
      description: 'desc: newest first; asc: oldest first.',
      default: 'desc',
    },
    ...OUTPUT_OPTIONS,
  },
  positionals: { min: 0, max: Number.MAX_SAFE_INTEGER },
  details: `Reads the broker's history API (GET /v1/events on its HTTP listener, the one serving /metrics) with
the same selectors as tail. The broker evaluates --where and the declared keys (--project and the like), so
only matching events cross the network; --user and --change match here, as tail's do.
After the events, stderr says how to get the next page: 'more: --cursor C' (pass the same filters again), or
'no more'. A page can end early (the broker's scan budget): ask again with the cursor; nothing is skipped.
The broker's archive returns only what your account (--username; anonymous otherwise) may subscribe to.
A value the broker refuses (HTTP 400) exits 2 like a bad flag, naming the flag; a broker that cannot answer
(unreachable, history off, refused credentials) exits 1 with a sentence saying which.

${FORMATS_HELP}

${WHERE_HELP}

${TEMPLATE_HELP}`,
  // The implementation (and what it imports) loads only when the command runs: not for --help.
  run: async (context) => (await import('../commands/history.js')).implementation.run(context),
};
