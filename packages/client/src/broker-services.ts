import { FirehoseError } from '@firehose/protocol';
import {
  createCatalogue,
  services as builtInServices,
  type Catalogue,
  type ServiceDefinition,
} from '@firehose/schema';
import { buildSiteServices, SERVICES_TOPIC } from '@firehose/schema/site';

/** What {@link FirehoseClient.learnServices} found on the broker's `$firehose/services` record. */
export interface LearnedServices {
  /**
   * The site's own services the broker runs (never the built-in ones, which every client knows);
   * empty when the site declares none, or when the broker published no record.
   */
  readonly services: readonly ServiceDefinition[];
  /**
   * `false`: no record arrived within the timeout, or the account may not read `$firehose/services`
   * (a broker older than site catalogues publishes none). The client then knows the built-in
   * services and its own `services` option only.
   */
  readonly published: boolean;
}

const decoder = new TextDecoder();

/**
 * Reads the broker's retained `$firehose/services` record (`describeServices` of the site's
 * services) back into service definitions, as `buildSiteServices` does a catalogue file. An empty
 * payload (a cleared record) declares none.
 * @throws FirehoseError `INVALID_PAYLOAD` saying why the record is unusable (not JSON, or which field of it is wrong)
 */
export function parseServicesRecord(payload: Uint8Array | string): ServiceDefinition[] {
  const text = typeof payload === 'string' ? payload : decoder.decode(payload);
  if (text.trim() === '') return [];
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new FirehoseError(
      'INVALID_PAYLOAD',
      `The broker's ${SERVICES_TOPIC} record is not JSON (${(error as Error).message}); its site services are unknown here, the built-in ones still work.`,
      { cause: error },
    );
  }
  try {
    return buildSiteServices(document);
  } catch (error) {
    throw new FirehoseError(
      'INVALID_PAYLOAD',
      `The broker's ${SERVICES_TOPIC} record is unusable; its site services are unknown here, the built-in ones still work. ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * The catalogue of a client that learned `learned` from its broker: the built-in services, the
 * client's own `services` option, and the broker's. The broker is the truth about what it runs: a
 * service it declares under a built-in name (a site-only broker, `catalogue.builtin: false`, with
 * its own `zuul`) replaces the built-in one. A service the client was given in its `services`
 * option (a codegen module, typed) wins over the broker's declaration of the same name.
 * @throws FirehoseError `INVALID_CONFIG` (path `services`) when they still collide (a topic overlap)
 */
export function learnedCatalogue(
  explicit: readonly ServiceDefinition[],
  learned: readonly ServiceDefinition[],
): Catalogue {
  const own = explicit.filter((service) => !builtInServices.includes(service));
  const ownNames = new Set(own.map((service) => service.name));
  const fromBroker = learned.filter((service) => !ownNames.has(service.name));
  const replaced = new Set(fromBroker.map((service) => service.name));
  try {
    return createCatalogue([
      ...builtInServices.filter((service) => !replaced.has(service.name)),
      ...own,
      ...fromBroker,
    ]);
  } catch (error) {
    throw new FirehoseError(
      'INVALID_CONFIG',
      `The broker's ${SERVICES_TOPIC} record does not fit beside the services option: ${(error as Error).message}`,
      { path: 'services', cause: error },
    );
  }
}
