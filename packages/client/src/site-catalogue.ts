import { FirehoseError } from '@firehose/protocol';
import {
  catalogue as builtInCatalogue,
  createCatalogue,
  services as builtInServices,
  type Catalogue,
  type ServiceDefinition,
} from '@firehose/schema';

/**
 * The catalogue a client checks, routes and builds events with: the built-in services plus a
 * site's own (`services` option: `firehose schema codegen`'s module, `loadCatalogueFiles`, or the
 * broker's `$firehose/services` document through `buildSiteServices`).
 * @throws FirehoseError `INVALID_CONFIG` (path `services`) when they collide with each other or a built-in one
 */
export function siteCatalogue(services: readonly ServiceDefinition[] | undefined): Catalogue {
  if (services === undefined) return builtInCatalogue;
  // Checked at run time for JavaScript callers (one ServiceDefinition instead of a list).
  const list: unknown = services;
  if (!Array.isArray(list))
    throw new FirehoseError(
      'INVALID_CONFIG',
      'Option services must be a list of service definitions (from firehose schema codegen or loadCatalogueFiles).',
      { path: 'services' },
    );
  if (services.length === 0) return builtInCatalogue;
  // A codegen module imported beside loadCatalogueFiles gives the built-ins no second time.
  const site = services.filter((service) => !builtInServices.includes(service));
  try {
    return createCatalogue([...builtInServices, ...site]);
  } catch (error) {
    throw new FirehoseError('INVALID_CONFIG', `Option services: ${(error as Error).message}`, {
      path: 'services',
      cause: error,
    });
  }
}
