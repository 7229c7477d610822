import type { FirehoseClient } from '@firehose/client';
import { catalogue as builtInCatalogue, type Catalogue } from '@firehose/schema';
import { UsageError } from './usage-error.js';

/**
 * The services a command knows, and where they came from (for messages). `tail`, `topics` and
 * `pub` learn a site's own services from the broker's retained `$firehose/services` record, so
 * they route, validate and render them without a rebuild; `history` and `tail --since` do too when
 * `--service` is not a built-in one (`history-services.ts`); everything else knows the built-in ones.
 */
export interface KnownServices {
  /** Built-in services plus, once learned, the broker's site services. */
  readonly catalogue: Catalogue;
  /** The broker asked, and whether it published its record; undefined: not asked (built-in only). */
  readonly broker?: {
    readonly url: string;
    readonly published: boolean;
    /** Why the broker could not be asked (`history`: it reads over HTTP, the MQTT URL may be down). */
    readonly unreachable?: string;
  };
}

/** The built-in services only: the broker was not asked (yet). */
export const BUILT_IN: KnownServices = { catalogue: builtInCatalogue };

/**
 * How long to wait for the `$firehose/services` record after subscribing. It is retained, so it
 * comes right after the SUBACK; only a broker that publishes none (older than site catalogues)
 * makes a command wait this out, once, at start.
 */
const SERVICES_WAIT_MS = 3000;

/**
 * Learns the site's services from the broker `client` is connected to: from then on the client
 * decodes and validates their events and `catalogue` renders them. An unusable record is a warning
 * (`warn`), never fatal: the built-in services still work.
 */
export async function learnServices(
  client: FirehoseClient,
  url: string,
  warn: (message: string) => void,
): Promise<KnownServices> {
  try {
    const learned = await client.learnServices({ timeout: SERVICES_WAIT_MS });
    return { catalogue: client.catalogue, broker: { url, published: learned.published } };
  } catch (error) {
    warn(error instanceof Error ? error.message : String(error));
    return { catalogue: client.catalogue, broker: { url, published: false } };
  }
}

/** Service names, in catalogue order (built-in first). */
function serviceNames(known: KnownServices): string[] {
  return known.catalogue.services.map((service) => service.name);
}

/**
 * The usage error for a service nobody declared, naming what is known: the broker's services when
 * it published them, else the built-in ones and why the site's are missing.
 */
export function unknownService(name: string, known: KnownServices): UsageError {
  const names = serviceNames(known).join(', ');
  const broker = known.broker;
  if (broker?.unreachable !== undefined)
    return new UsageError(
      `no service '${name}' among the built-in services (${names}), and ${broker.url} could not be asked for its own: ${broker.unreachable.replace(/\.$/, '')}. Pass --url with the broker's MQTT URL.`,
    );
  if (broker?.published === true)
    return new UsageError(`no service '${name}' on ${broker.url}; the broker runs: ${names}.`);
  if (broker !== undefined)
    return new UsageError(
      `no service '${name}' among the built-in services (${names}); ${broker.url} published no $firehose/services record (a broker older than site catalogues, or an account that may not read $firehose/#), so its own services are not known here.`,
    );
  return new UsageError(`no service '${name}' among the built-in services: ${names}.`);
}
