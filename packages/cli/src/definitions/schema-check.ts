import type { Command } from '../command.js';
import { CONNECTION_OPTIONS } from './shared-options.js';

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
  // The implementation (and what it imports) loads only when the command runs: not for --help.
  run: async (context) => (await import('../commands/schema-check.js')).implementation.run(context),
};
