import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  services as builtinServices,
  createCatalogue,
  exportAsyncApi,
  exportJsonSchemas,
  type Catalogue,
} from '@firehose/schema';
import { loadCatalogueFiles } from '@firehose/schema/files';
import { isCatalogueError } from '@firehose/schema/site';
import type { CommandImplementation } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { UsageError } from '../usage-error.js';

/** The history API's OpenAPI 3.1 document, as served at `GET /v1/openapi.json`. */
const HISTORY_OPENAPI = 'history-openapi.json';

export const implementation: CommandImplementation = {
  async run({ args, stdout, stderr }) {
    const out = args.string('out');
    if (out === undefined) throw new UsageError('--out DIR is required.');
    const siteOnly = args.boolean('site-only');
    if (siteOnly && args.positionals.length === 0)
      throw new UsageError('--site-only exports catalogue files alone: name at least one.');
    // Without files, the package's own catalogue; with files, the catalogue a broker on them runs.
    let catalogue: Catalogue | undefined;
    if (args.positionals.length > 0) {
      const alongside = siteOnly ? [] : builtinServices;
      try {
        const site = await loadCatalogueFiles(args.positionals, { alongside });
        catalogue = createCatalogue([...alongside, ...site]);
      } catch (error) {
        if (!isCatalogueError(error)) throw error;
        stderr.write(`${error.message}\n`);
        return ExitCode.error;
      }
    }
    await mkdir(out, { recursive: true });
    const schemas = exportJsonSchemas(catalogue);
    for (const [file, schema] of schemas) {
      await writeFile(join(out, file), `${JSON.stringify(schema, null, 2)}\n`);
    }
    await writeFile(
      join(out, 'asyncapi.json'),
      `${JSON.stringify(exportAsyncApi(catalogue === undefined ? {} : { catalogue }), null, 2)}\n`,
    );
    // The document the broker serves at /v1/openapi.json, from the same function; imported here
    // only, so other commands do not load the broker.
    const { historyOpenApi } = await import('@firehose/broker');
    await writeFile(join(out, HISTORY_OPENAPI), `${JSON.stringify(historyOpenApi(), null, 2)}\n`);
    stdout.write(`Wrote ${schemas.size} JSON Schema files, asyncapi.json and ${HISTORY_OPENAPI} to ${out}\n`);
    return ExitCode.ok;
  },
};
