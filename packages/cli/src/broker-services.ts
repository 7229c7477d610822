import type { InvalidEvent } from '@firehose/client';
import { FirehoseError } from '@firehose/protocol';
import type { ServiceDefinition } from '@firehose/schema';
import { buildSiteServices, isCatalogueError, SERVICES_TOPIC } from '@firehose/schema/site';
import { connectOnce, credentials } from './broker-connection.js';
import type { CommandContext } from './command.js';

/** How long a broker has to hand over its retained `$firehose/services` once subscribed. */
const SERVICES_WAIT_MS = 5000;

/**
 * The site services a running broker checks publishes against, from the catalogue document it
 * keeps retained on `$firehose/services` (every service but the built-in ones, schemas included):
 * what `firehose schema check --against <url>` compares a change with. The built-in services are
 * compiled into both sides, so they need no comparing.
 * @throws FirehoseError `CONNECTION_FAILED` (unreachable), `NOT_FOUND` (no document within 5 s:
 *   not a firehose broker, or one too old to publish it), `INVALID_CATALOGUE` (a document that does
 *   not build)
 */
export async function brokerServices(url: string, context: CommandContext): Promise<ServiceDefinition[]> {
  const client = await connectOnce(url, { ...(await credentials(context)), validate: false, dedupe: false });
  try {
    const payload = await new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new FirehoseError(
              'NOT_FOUND',
              `The broker at ${url} published no ${SERVICES_TOPIC} document within ${SERVICES_WAIT_MS / 1000} s; is it a firehose broker of this version, and may this account read ${SERVICES_TOPIC}?`,
            ),
          ),
        SERVICES_WAIT_MS,
      );
      // The document is plain JSON, not an envelope, so the client reports it as "invalid".
      client.on('invalid', (message: InvalidEvent) => {
        if (message.topic !== SERVICES_TOPIC) return;
        clearTimeout(timer);
        resolve(message.payload);
      });
      client
        .subscribe(SERVICES_TOPIC, () => undefined, { qos: 0 })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
    });
    let document: unknown;
    try {
      document = JSON.parse(new TextDecoder().decode(payload));
    } catch (cause) {
      throw new FirehoseError(
        'INVALID_PAYLOAD',
        `The broker at ${url} published a ${SERVICES_TOPIC} document that is not JSON (${(cause as Error).message}).`,
        { cause },
      );
    }
    try {
      return buildSiteServices(document);
    } catch (error) {
      if (!isCatalogueError(error)) throw error;
      throw new FirehoseError(
        'INVALID_CATALOGUE',
        `The catalogue the broker at ${url} runs (${SERVICES_TOPIC}) cannot be read: ${error.message}`,
        { cause: error },
      );
    }
  } finally {
    await client.close().catch(() => undefined);
  }
}
