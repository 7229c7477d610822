import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { services as builtIn } from '@firehose/schema';
import { loadCatalogueFiles } from '@firehose/schema/files';
import { generateSiteModule } from '../codegen/generate-module.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { UsageError } from '../usage-error.js';

export const schemaCodegenCommand: Command = {
  name: ['schema', 'codegen'],
  summary: "write a typed module for a site's catalogue files (@firehose/client types them like gerrit's)",
  usage: 'schema codegen <file…> --out DIR',
  examples: [
    {
      command: 'schema codegen catalogue/*.yaml --out src/firehose',
      description:
        'write src/firehose/index.js, index.d.ts and package.json; import { github, services } from it',
    },
  ],
  options: {
    out: {
      type: 'string',
      short: 'o',
      value: 'DIR',
      description: 'Directory to write to (created if missing; its index.* files are replaced).',
    },
  },
  positionals: { min: 0, max: Number.MAX_SAFE_INTEGER },
  details: `The files are checked as the broker checks them (beside the built-in services): a refused
catalogue writes nothing and names file, line and field. The module exports \`services\` (pass it to
connect(url, { services }) or createHistoryClient) and one object per service with its event types
(github.push, github.pullRequest), typed EventType<Data, Params>; its declarations add the services
to @firehose/client's FirehoseServices, so subscribe('github/#', …) and history('github/#') are typed
too. Run it again after changing the catalogue.`,
  async run({ args, stdout }) {
    const out = args.string('out');
    if (out === undefined) throw new UsageError('--out DIR is required (where to write the module).');
    const files = [...args.positionals];
    if (files.length === 0)
      throw new UsageError('name at least one catalogue file (YAML or JSON, firehose-catalogue: 1).');
    const services = await loadCatalogueFiles(files, { alongside: builtIn });
    if (services.length === 0)
      throw new Error(
        `${files.join(', ')} declare no service; add one under services: to generate a module.`,
      );
    // A CodegenError (a name no module can export) is a catalogue problem: exit 1, its sentence.
    const generated = await generateSiteModule(
      services,
      // Names only: the module is the same wherever it is generated from.
      files.map((file) => basename(file)),
    );
    await mkdir(out, { recursive: true });
    for (const [name, text] of Object.entries(generated)) await writeFile(join(out, name), text);
    const types = services.reduce((sum, service) => sum + service.eventTypes.length, 0);
    stdout.write(
      `Wrote ${Object.keys(generated).join(', ')} to ${out}: ${services.length} services, ${types} event types (${services.map((s) => s.name).join(', ')}).\n`,
    );
    return ExitCode.ok;
  },
};
