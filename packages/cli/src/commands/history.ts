import { CONNECTION_OPTIONS } from '../broker-connection.js';
import type { Command } from '../command.js';
import { BUILT_IN } from '../known-services.js';
import { SELECTION_OPTIONS, WHERE_HELP, matchesPersonAndChange, readSelection } from '../event-selection.js';
import { ExitCode } from '../exit-codes.js';
import { HISTORY_URL_OPTION, historyFailure, openHistory, searchTime } from '../history-access.js';
import { historySelection } from '../history-query.js';
import { fromHistory } from '../history-record.js';
import { FORMATS_HELP, OUTPUT_OPTIONS, readOutput } from '../output/output-options.js';
import { TEMPLATE_HELP } from '../output/template.js';
import { UsageError } from '../usage-error.js';

const MAX_PAGE = 1000;
/** Records asked for per request when some filtering happens here rather than in the broker. */
const FILTERED_PAGE = 200;

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
  async run(context) {
    const { args, env, stdout, stderr, signal } = context;
    const selection = readSelection(args, { sys: false, known: BUILT_IN });
    const { query, accepts } = historySelection(selection);
    const { formatter } = readOutput(args, env, stdout);
    const limit = args.integer('limit', { min: 1 }) ?? 100;
    const order = args.choice('order', ['desc', 'asc'], 'desc');
    const since = searchTime(args.string('since'), '--since');
    const until = searchTime(args.string('until'), '--until');
    let cursor = args.string('cursor');
    if (cursor !== undefined && cursor.trim() === '')
      throw new UsageError("--cursor needs the cursor a previous 'firehose history' printed.");
    // Records the broker sends that are checked here too (not all of them pass): ask for more at once.
    const filteredHere =
      selection.user !== undefined ||
      selection.change !== undefined ||
      Object.keys(selection.params).length > Object.keys(query.keys ?? {}).length;
    const history = await openHistory(context);
    let printed = 0;
    let next: string | null = null;
    try {
      while (!signal.aborted) {
        const remaining = limit - printed;
        const page = await history.search(query, {
          order,
          limit: Math.min(MAX_PAGE, filteredHere ? Math.max(remaining, FILTERED_PAGE) : remaining),
          signal,
          ...(since === undefined ? {} : { since }),
          ...(until === undefined ? {} : { until }),
          ...(selection.where === undefined ? {} : { where: selection.where }),
          ...(cursor === undefined ? {} : { cursor }),
        });
        next = page.next;
        for (const [index, event] of page.events.entries()) {
          const record = fromHistory(event);
          if (!accepts(record.topic) || !matchesPersonAndChange(selection, record)) continue;
          stdout.write(formatter(record));
          printed += 1;
          if (printed === limit) {
            // Stopped inside the page: the next one starts right after the last event printed.
            if (index < page.events.length - 1 || next !== null) next = event.cursor;
            break;
          }
        }
        if (printed === limit || next === null) break;
        cursor = next;
      }
    } catch (error) {
      if (signal.aborted) return ExitCode.ok;
      throw historyFailure(error);
    }
    const events = `${printed} event${printed === 1 ? '' : 's'}`;
    stderr.write(
      next === null
        ? `firehose history: ${events}; no more.\n`
        : `firehose history: ${events}; more: --cursor ${next}\n`,
    );
    return ExitCode.ok;
  },
};
