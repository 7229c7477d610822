import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportAsyncApi, exportJsonSchemas } from '@firehose/schema';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { UsageError } from '../usage-error.js';

export const schemaExportCommand: Command = {
  name: ['schema', 'export'],
  summary: 'write every event type as JSON Schema plus one AsyncAPI 3.0 document',
  usage: 'schema export --out DIR',
  examples: [
    {
      command: 'schema export --out ./schemas',
      description: 'write ./schemas/*.json and ./schemas/asyncapi.json',
    },
  ],
  options: {
    out: {
      type: 'string',
      short: 'o',
      value: 'DIR',
      description: 'Directory to write to (created if missing).',
    },
  },
  async run({ args, stdout }) {
    const out = args.string('out');
    if (out === undefined) throw new UsageError('--out DIR is required.');
    await mkdir(out, { recursive: true });
    const schemas = exportJsonSchemas();
    for (const [file, schema] of schemas) {
      await writeFile(join(out, file), `${JSON.stringify(schema, null, 2)}\n`);
    }
    await writeFile(join(out, 'asyncapi.json'), `${JSON.stringify(exportAsyncApi(), null, 2)}\n`);
    stdout.write(`Wrote ${schemas.size} JSON Schema files and asyncapi.json to ${out}\n`);
    return ExitCode.ok;
  },
};
