import { UsageError } from './usage-error.js';

/** What the CLI takes from the environment. Nothing else in the CLI reads `process.env`. */
export interface CliEnv {
  /** A non-empty `NO_COLOR` turns colour off whatever `--color` says (https://no-color.org). */
  readonly noColor: boolean;
  /** `FIREHOSE_URL`: default broker URL for tail, pub, bridge, topics. @default undefined */
  readonly url: string | undefined;
  /**
   * `FIREHOSE_HISTORY_URL`: default `--history-url` of history and `tail --since` (the broker's HTTP
   * listener). @default undefined (derived from the broker URL)
   */
  readonly historyUrl?: string | undefined;
  /** `FIREHOSE_USERNAME`: default `--username` for pub and bridge. @default undefined */
  readonly username: string | undefined;
  /** `FIREHOSE_PASSWORD`: password for pub and bridge; otherwise they prompt (no echo). */
  readonly password: string | undefined;
  /**
   * Every other `FIREHOSE_*` variable, handed to the broker's `loadConfig` (flags > env > file).
   * The CLI's own variables above are left out so the broker does not reject them as unknown keys.
   */
  readonly brokerEnv: Readonly<Record<string, string>>;
  /** `GERRIT_HTTP_PASSWORD`: HTTP password of `bridge gerrit --events-log-user`. @default undefined */
  readonly gerritHttpPassword?: string | undefined;
  /**
   * `COLUMNS`: the width `tail`'s pretty output fits when the terminal reports none (or to fit a
   * pipe's output too). @default undefined
   */
  readonly columns?: number | undefined;
}

const CLI_VARIABLES = new Set([
  'FIREHOSE_URL',
  'FIREHOSE_HISTORY_URL',
  'FIREHOSE_USERNAME',
  'FIREHOSE_PASSWORD',
]);
const URL_SCHEMES = new Set(['mqtt:', 'mqtts:', 'ws:', 'wss:']);

/**
 * Reads and validates the environment once, at start-up.
 *
 * @param source defaults to `process.env`; tests pass their own.
 * @throws UsageError when a variable is set to something unusable (exit 2).
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): CliEnv {
  const url = nonEmpty(source.FIREHOSE_URL);
  if (url !== undefined) checkBrokerUrl(url, 'FIREHOSE_URL');
  const brokerEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith('FIREHOSE_') && !CLI_VARIABLES.has(key) && value !== undefined) {
      brokerEnv[key] = value;
    }
  }
  return {
    noColor: nonEmpty(source.NO_COLOR) !== undefined,
    url,
    historyUrl: nonEmpty(source.FIREHOSE_HISTORY_URL),
    username: nonEmpty(source.FIREHOSE_USERNAME),
    // A password may legitimately contain spaces, so it is not trimmed; only empty means unset.
    password: source.FIREHOSE_PASSWORD === '' ? undefined : source.FIREHOSE_PASSWORD,
    brokerEnv,
    gerritHttpPassword: source.GERRIT_HTTP_PASSWORD === '' ? undefined : source.GERRIT_HTTP_PASSWORD,
    columns:
      /^\d+$/.test(source.COLUMNS ?? '') && Number(source.COLUMNS) > 0 ? Number(source.COLUMNS) : undefined,
  };
}

/**
 * Checks that `url` is a broker URL the client can dial.
 * @throws UsageError naming `what` (the flag or variable) and showing an example.
 */
export function checkBrokerUrl(url: string, what: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `${what} '${url}' is not a URL; use e.g. mqtt://localhost:1883 or ws://localhost:8080/mqtt.`,
    );
  }
  if (!URL_SCHEMES.has(parsed.protocol)) {
    throw new UsageError(
      `${what} '${url}' has scheme '${parsed.protocol}'; use mqtt://, mqtts://, ws:// or wss:// (e.g. mqtt://localhost:1883).`,
    );
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
