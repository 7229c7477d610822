import type { CommandImplementation } from '../command.js';
import { BUILT_IN } from '../known-services.js';
import { matchesPersonAndChange, readSelection } from '../event-selection.js';
import { ExitCode } from '../exit-codes.js';
import { historyFailure, openHistory, searchTime } from '../history-access.js';
import { historySelection } from '../history-query.js';
import { servicesForHistory } from '../history-services.js';
import { fromHistory } from '../history-record.js';
import { readOutput } from '../output/output-options.js';
import { UsageError } from '../usage-error.js';

const MAX_PAGE = 1000;
/** Records asked for per request when some filtering happens here rather than in the broker. */
const FILTERED_PAGE = 200;

export const implementation: CommandImplementation = {
  async run(context) {
    const { args, env, stdout, stderr, signal } = context;
    // A site's own service is looked up in the broker's catalogue (every flag is checked first).
    readSelection(args, { sys: false, known: BUILT_IN, deferUnknownService: true });
    const { formatter } = readOutput(args, env, stdout);
    const limit = args.integer('limit', { min: 1 }) ?? 100;
    const order = args.choice('order', ['desc', 'asc'], 'desc');
    const since = searchTime(args.string('since'), '--since');
    const until = searchTime(args.string('until'), '--until');
    let cursor = args.string('cursor');
    if (cursor !== undefined && cursor.trim() === '')
      throw new UsageError("--cursor needs the cursor a previous 'firehose history' printed.");
    const known = await servicesForHistory(context, 'firehose history');
    const selection = readSelection(args, { sys: false, known });
    const { query, accepts } = historySelection(selection, known);
    // Records the broker sends that are checked here too (not all of them pass): ask for more at once.
    const filteredHere =
      selection.user !== undefined ||
      selection.change !== undefined ||
      Object.keys(selection.params).length > Object.keys(query.keys ?? {}).length;
    const history = await openHistory(context, known);
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
          const record = fromHistory(event, known.catalogue);
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
