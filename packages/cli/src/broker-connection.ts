import { connect, type ConnectOptions, type FirehoseClient } from '@firehose/client';
import { FirehoseError, isFirehoseError } from '@firehose/protocol';
import type { CommandContext } from './command.js';
import { checkBrokerUrl } from './env.js';
import { DEFAULT_URL } from './definitions/shared-options.js';
import { readSecret } from './read-secret.js';

/** The broker URL from `--url`, then `FIREHOSE_URL`, then the default. */
export function brokerUrl(context: CommandContext): string {
  const flag = context.args.string('url');
  if (flag !== undefined) checkBrokerUrl(flag, '--url');
  return flag ?? context.env.url ?? DEFAULT_URL;
}

/** Username and password: password from `FIREHOSE_PASSWORD`, else a no-echo prompt. */
export async function credentials(
  context: CommandContext,
): Promise<Pick<ConnectOptions, 'username' | 'password'>> {
  const username = context.args.string('username') ?? context.env.username;
  if (username === undefined) return {};
  const password =
    context.env.password ??
    (await readSecret(context, `Password for ${username} (not echoed): `, { fromStdin: false }));
  return { username, password };
}

/**
 * Connects once, failing fast: a CLI user wants "connection refused" now, not a silent retry loop.
 * @throws FirehoseError `CONNECTION_FAILED` whose message names the URL and what to check.
 */
export async function connectOnce(url: string, options: ConnectOptions): Promise<FirehoseClient> {
  try {
    return await connect(url, { connectTimeout: 5000, ...options });
  } catch (error) {
    // The client's own errors already name the URL and what to check.
    if (isFirehoseError(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new FirehoseError(
      'CONNECTION_FAILED',
      `Could not connect to ${url}: ${reason.replace(/\.$/, '')}. Is a broker running there? ('firehose broker' starts one.)`,
      { cause: error },
    );
  }
}
