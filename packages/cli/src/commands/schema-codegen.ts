import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { services as builtIn } from '@firehose/schema';
import { loadCatalogueFiles } from '@firehose/schema/files';
import { generateSiteModule } from '../codegen/generate-module.js';
import type { CommandImplementation } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { UsageError } from '../usage-error.js';

export const implementation: CommandImplementation = {
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
