/**
 * Process exit codes, shown in every command's `--help`. Scripts branch on these, so they are
 * part of the CLI's public contract: never renumber them.
 */
export const ExitCode = {
  /** The command did what was asked (for `tail --count N`: N events were printed). */
  ok: 0,
  /** Something went wrong at run time: connection refused, invalid payload, bad config file. */
  error: 1,
  /** The command line itself was wrong: unknown flag, missing argument, malformed value. */
  usage: 2,
  /** `--timeout` expired before the command finished (for `tail`: before `--count` events). */
  timeout: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP =
  'Exit codes: 0 done, 1 error, 2 usage (unknown flag, missing or malformed argument), 3 --timeout expired.';

/** The exit-code line of one command's `--help`: code 3 only for commands that have `--timeout`. */
export function exitCodesHelp(hasTimeout: boolean): string {
  return hasTimeout
    ? EXIT_CODES_HELP
    : 'Exit codes: 0 done, 1 error, 2 usage (unknown flag, missing or malformed argument).';
}
