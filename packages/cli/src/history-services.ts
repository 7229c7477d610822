import type { FirehoseClient } from '@firehose/client';
import { brokerUrl, connectOnce, credentials } from './broker-connection.js';
import type { CommandContext } from './command.js';
import { BUILT_IN, learnServices, type KnownServices } from './known-services.js';

/**
 * The services `history` and `tail --since` check `--service/--event/--param` against. They read
 * over HTTP, but a service the built-in ones lack may be the site's own: the broker is asked once
 * for its retained `$firehose/services` record over MQTT (as `tail` does), so the query is built
 * from the site's declared types and an unknown service is refused naming what the broker runs. A
 * built-in service, or none, needs no broker connection; a broker that cannot be reached leaves the
 * built-in ones (the refusal says why).
 */
export async function servicesForHistory(context: CommandContext, label: string): Promise<KnownServices> {
  const { args, stderr } = context;
  const service = args.string('service');
  if (service === undefined || BUILT_IN.catalogue.getService(service) !== undefined) return BUILT_IN;
  const url = brokerUrl(context);
  let client: FirehoseClient;
  try {
    client = await connectOnce(url, await credentials(context));
  } catch (error) {
    // Refused below naming the service and why the site's own are not known (exit 2, not 1).
    const unreachable = error instanceof Error ? error.message : String(error);
    return { catalogue: BUILT_IN.catalogue, broker: { url, published: false, unreachable } };
  }
  try {
    return await learnServices(client, url, (message) => {
      if (!args.boolean('quiet')) stderr.write(`${label}: warning: ${message}\n`);
    });
  } finally {
    await client.close().catch(() => undefined);
  }
}
