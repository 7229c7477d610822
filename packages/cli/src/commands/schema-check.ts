import { services as builtinServices, type ServiceDefinition } from '@firehose/schema';
import { loadCatalogueFiles } from '@firehose/schema/files';
import { isCatalogueError } from '@firehose/schema/site';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';

export const schemaCheckCommand: Command = {
  name: ['schema', 'check'],
  summary: 'lint catalogue files before a broker runs them: every problem by file, line and field',
  usage: 'schema check [options] <file…>',
  examples: [
    { command: 'schema check catalogue/*.yaml', description: 'beside the built-in OpenStack services' },
    {
      command: 'schema check catalogue/*.yaml --against deployed/ci.yaml --against deployed/github.yaml',
      description: 'also refuse a breaking change within a major the deployed files run',
    },
    {
      command: 'schema check --site-only site.yaml',
      description: 'for a broker with catalogue.builtin false',
    },
  ],
  options: {
    against: {
      type: 'string',
      multiple: true,
      value: 'FILE',
      description:
        'A catalogue file running now, once per file: a schema change that breaks their consumers within the same major is a problem.',
    },
    'site-only': {
      type: 'boolean',
      description:
        'Check the files alone, without the built-in OpenStack services (catalogue.builtin: false).',
    },
  },
  positionals: { min: 1, max: Number.MAX_SAFE_INTEGER },
  details:
    'Checks what the broker checks at start and on SIGHUP: syntax, the format, JSON Schemas (draft 2020-12), topic templates, overlapping topics, names, index keys and intake rules. Exit 0 with a summary when the files are good, 1 with one "file:line: field: reason" line per problem otherwise.',
  async run({ args, stdout, stderr }) {
    const alongside: readonly ServiceDefinition[] = args.boolean('site-only') ? [] : builtinServices;
    const against = args.strings('against');
    try {
      const running = against.length === 0 ? undefined : await loadCatalogueFiles(against, { alongside });
      const checked = await loadCatalogueFiles(args.positionals, {
        alongside,
        ...(running === undefined ? {} : { running }),
      });
      const types = checked.reduce((sum, service) => sum + service.eventTypes.length, 0);
      const files = args.positionals.length;
      stdout.write(
        `ok: ${plural(files, 'file')}, ${plural(checked.length, 'service')}, ${plural(types, 'event type')}${
          running === undefined ? '' : `, no breaking change against ${plural(against.length, 'file')}`
        }\n`,
      );
      return ExitCode.ok;
    } catch (error) {
      if (!isCatalogueError(error)) throw error;
      stderr.write(`${error.message}\n`);
      return ExitCode.error;
    }
  },
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
