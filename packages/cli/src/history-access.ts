import { createHistoryClient, deriveHistoryUrl, type HistoryClient } from '@firehose/client';
import { FirehoseError, isFirehoseError } from '@firehose/protocol';
import { brokerUrl, credentials } from './broker-connection.js';
import type { CommandContext } from './command.js';
import { BUILT_IN, type KnownServices } from './known-services.js';
import { UsageError } from './usage-error.js';

/** The history API's URL: `--history-url`, `FIREHOSE_HISTORY_URL`, else derived from the broker URL. */
export function historyUrl(context: CommandContext): string {
  const flag = context.args.string('history-url');
  const url = flag ?? context.env.historyUrl ?? deriveHistoryUrl(brokerUrl(context));
  const what =
    flag === undefined && context.env.historyUrl !== undefined ? 'FIREHOSE_HISTORY_URL' : '--history-url';
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    throw new UsageError(
      `${what} '${url}' is not an http:// or https:// URL; use the broker's HTTP listener, e.g. http://localhost:9090.`,
    );
  return url;
}

/**
 * A history client with the command's credentials, decoding by `known`'s services (a site's own
 * too, once learned from the broker: their topic params and validation).
 */
export async function openHistory(
  context: CommandContext,
  known: KnownServices = BUILT_IN,
): Promise<HistoryClient> {
  return createHistoryClient(historyUrl(context), {
    ...(await credentials(context)),
    ...(known === BUILT_IN ? {} : { services: known.catalogue.services }),
  });
}

/** The flag each API parameter comes from, so the broker's refusal names what the user typed. */
const FLAG_OF: Readonly<Record<string, string>> = {
  from: '--since',
  since: '--since',
  to: '--until',
  where: '--where',
  limit: '--limit',
  cursor: '--cursor',
  order: '--order',
  service: '--service',
  type: '--event',
  topic: 'the topic filter',
  project: '--project',
  change: '--change',
};

/**
 * A broker's refusal of a parameter (HTTP 400) is a usage mistake: exit 2, naming the flag. Every
 * other failure is returned as it is (its sentence already says what went wrong and where).
 */
function usageOfHistoryError(error: unknown): unknown {
  if (!isFirehoseError(error) || error.code !== 'INVALID_QUERY') return error;
  const parameter = error.path;
  const flag = parameter === undefined ? undefined : (FLAG_OF[parameter] ?? `--param ${parameter}`);
  return new UsageError(
    flag === undefined ? `the broker refused the query: ${error.message}` : `${flag}: ${error.message}`,
  );
}

/** `--since`/`--until` of a search: a time, never a cursor (that is `--cursor`). */
export function searchTime(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^-?\d+[smhdw]$/.test(trimmed)) return trimmed;
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed) && !Number.isNaN(Date.parse(trimmed))) return trimmed;
  throw new UsageError(
    `${flag} must be a time: a duration back from now like 2h, 30m or 7d, or an ISO 8601 time like 2026-12-07T08:00:00Z; got '${value}'.${flag === '--since' ? ' To continue after a page, pass the printed cursor as --cursor.' : ''}`,
  );
}

/** `tail --since`: a duration, an ISO time, or a cursor (anything else). */
export function streamPosition(value: string): string {
  const trimmed = value.trim();
  if (trimmed === '')
    throw new UsageError(
      "--since needs a duration like 2h, an ISO 8601 time or a cursor from 'firehose history'.",
    );
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed) && Number.isNaN(Date.parse(trimmed)))
    throw new UsageError(`--since '${value}' is not a valid ISO 8601 time; e.g. 2026-12-07T08:00:00Z.`);
  return trimmed;
}

/** The error a history read ended with, as the CLI reports it. */
export function historyFailure(error: unknown): unknown {
  const mapped = usageOfHistoryError(error);
  if (mapped instanceof UsageError || isFirehoseError(mapped)) return mapped;
  return new FirehoseError('CONNECTION_FAILED', mapped instanceof Error ? mapped.message : String(mapped));
}
