import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportAsyncApi, exportJsonSchemas } from '@firehose/schema';
import type { CommandImplementation } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { UsageError } from '../usage-error.js';

/** The history API's OpenAPI 3.1 document, as served at `GET /v1/openapi.json`. */
const HISTORY_OPENAPI = 'history-openapi.json';

export const implementation: CommandImplementation = {
  async run({ args, stdout }) {
    const out = args.string('out');
    if (out === undefined) throw new UsageError('--out DIR is required.');
    await mkdir(out, { recursive: true });
    const schemas = exportJsonSchemas();
    for (const [file, schema] of schemas) {
      await writeFile(join(out, file), `${JSON.stringify(schema, null, 2)}\n`);
    }
    await writeFile(join(out, 'asyncapi.json'), `${JSON.stringify(exportAsyncApi(), null, 2)}\n`);
    // The document the broker serves at /v1/openapi.json, from the same function; imported here
    // only, so other commands do not load the broker.
    const { historyOpenApi } = await import('@firehose/broker');
    await writeFile(join(out, HISTORY_OPENAPI), `${JSON.stringify(historyOpenApi(), null, 2)}\n`);
    stdout.write(`Wrote ${schemas.size} JSON Schema files, asyncapi.json and ${HISTORY_OPENAPI} to ${out}\n`);
    return ExitCode.ok;
  },
};
