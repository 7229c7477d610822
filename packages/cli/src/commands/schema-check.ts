import { services as builtinServices, type ServiceDefinition } from '@firehose/schema';
import { loadCatalogueFiles } from '@firehose/schema/files';
import { isCatalogueError } from '@firehose/schema/site';
import { CONNECTION_OPTIONS } from '../broker-connection.js';
import { brokerServices } from '../broker-services.js';
import type { Command } from '../command.js';
import { checkBrokerUrl } from '../env.js';
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
      command: 'schema check catalogue/*.yaml --against mqtt://firehose.example.org:1883',
      description: 'against the catalogue a running broker checks publishes with ($firehose/services)',
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
      value: 'FILE|URL',
      description:
        'What runs now, repeatable: a catalogue file, or a running broker (mqtt://, mqtts://, ws:// or wss://), whose site services are read from its retained $firehose/services. A schema change that breaks their consumers within the same major is a problem.',
    },
    username: CONNECTION_OPTIONS.username!,
    'site-only': {
      type: 'boolean',
      description:
        'Check the files alone, without the built-in OpenStack services (catalogue.builtin: false).',
    },
  },
  positionals: { min: 1, max: Number.MAX_SAFE_INTEGER },
  details:
    'Checks what the broker checks at start and on SIGHUP: syntax, the format, JSON Schemas (draft 2020-12), topic templates, overlapping topics, names, index keys and intake rules. Exit 0 with a summary when the files are good, 1 with one "file:line: field: reason" line per problem otherwise, or when a broker named by --against cannot be reached or read.',
  async run(context) {
    const { args, stdout, stderr } = context;
    const alongside: readonly ServiceDefinition[] = args.boolean('site-only') ? [] : builtinServices;
    const against = args.strings('against');
    // A value with a scheme is a broker; anything else a file (a Windows drive letter is one letter).
    const urls = against.filter((value) => /^[a-z][a-z0-9+.-]+:\/\//i.test(value));
    for (const url of urls) checkBrokerUrl(url, '--against');
    const files = against.filter((value) => !urls.includes(value));
    try {
      const running =
        against.length === 0
          ? undefined
          : [
              ...(files.length === 0 ? [] : await loadCatalogueFiles(files, { alongside })),
              ...(await Promise.all(urls.map((url) => brokerServices(url, context)))).flat(),
            ];
      const checked = await loadCatalogueFiles(args.positionals, {
        alongside,
        ...(running === undefined ? {} : { running }),
      });
      const types = checked.reduce((sum, service) => sum + service.eventTypes.length, 0);
      stdout.write(
        `ok: ${plural(args.positionals.length, 'file')}, ${plural(checked.length, 'service')}, ${plural(types, 'event type')}${
          running === undefined ? '' : `, no breaking change against ${againstSummary(files.length, urls)}`
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

const againstSummary = (files: number, urls: readonly string[]): string =>
  [...(files === 0 ? [] : [plural(files, 'file')]), ...urls.map((url) => `the broker at ${url}`)].join(
    ' and ',
  );
