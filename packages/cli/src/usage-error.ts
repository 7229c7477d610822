/**
 * A mistake on the command line (unknown flag, missing argument, malformed value). The CLI prints
 * its one-line message plus the command's usage on stderr and exits 2. Kept separate from
 * `FirehoseError` because only the CLI needs to tell "you typed it wrong" from "it went wrong".
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `--timeout` expired: exits 3, so scripts can tell "nothing came" from "it broke". */
export class TimeoutExpired extends Error {
  override readonly name = 'TimeoutExpired';
}
