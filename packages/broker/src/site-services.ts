import {
  catalogue as builtinCatalogue,
  createCatalogue,
  services as builtinServices,
  type Catalogue as EventCatalogue,
  type ServiceDefinition,
} from '@firehose/schema';
import { loadCatalogueFiles } from '@firehose/schema/files';
import type { BrokerConfig } from './config/types.js';

/**
 * The services a broker runs, as one catalogue: the built-in OpenStack ones (unless
 * `catalogue.builtin` is false), those a program hands to `createBroker`, and those the
 * `catalogue.files` declare. With `running` (a reload), a schema change that breaks consumers of a
 * running type and major is refused too.
 *
 * Throws a `CatalogueError` (`INVALID_CATALOGUE`, each problem with file, line and field) for a
 * file that is refused, and `INVALID_PARAMS` when the given services clash among themselves.
 */
export async function loadEventCatalogue(
  settings: BrokerConfig['catalogue'],
  given: readonly ServiceDefinition[] = [],
  running?: EventCatalogue,
): Promise<EventCatalogue> {
  const base = [...(settings.builtin ? builtinServices : []), ...given];
  const fromFiles =
    settings.files.length === 0
      ? []
      : await loadCatalogueFiles(settings.files, {
          alongside: base,
          ...(running === undefined ? {} : { running: running.services }),
        });
  // The package's own catalogue is built once, with its lookups warm; reuse it when nothing is added.
  if (settings.builtin && base.length === builtinServices.length && fromFiles.length === 0)
    return builtinCatalogue;
  return createCatalogue([...base, ...fromFiles]);
}
