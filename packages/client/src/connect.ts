import { FirehoseError } from '@firehose/protocol';
import { parseBrokerUrl } from './broker-url.js';
import { FirehoseClient } from './client.js';
import { deriveHistoryUrl, parseHistoryUrl } from './history/history-url.js';
import { resolveOptions, type ConnectOptions } from './options.js';

/**
 * Connects to a firehose broker. With several URLs (a cluster), each is tried in turn, and
 * reconnects fail over between them.
 *
 * ```ts
 * const client = await connect('wss://firehose.example/mqtt');
 * await client.subscribe(gerrit.commentAdded({ project: 'openstack/nova' }), ({ event }) => console.log(event.data.comment));
 * ```
 * @throws FirehoseError `INVALID_CONFIG` (bad URL or option), `NOT_AUTHORIZED`, `CONNECTION_FAILED` (every URL failed once)
 */
export async function connect(
  url: string | readonly string[],
  options?: ConnectOptions,
): Promise<FirehoseClient> {
  const urls = typeof url === 'string' ? [url] : [...url];
  if (urls.length === 0)
    throw new FirehoseError(
      'INVALID_CONFIG',
      'connect() needs at least one broker URL, e.g. mqtt://127.0.0.1:1883.',
    );
  const addresses = urls.map(parseBrokerUrl);
  const resolved = resolveOptions(options);
  // Checked now, so a bad historyUrl fails connect() rather than the first history() call.
  parseHistoryUrl(resolved.historyUrl ?? deriveHistoryUrl(urls[0] ?? ''));
  const client = new FirehoseClient(resolved);
  await client.open(addresses);
  return client;
}
