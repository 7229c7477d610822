import type { Command } from '../command.js';

export const schemaShowCommand: Command = {
  name: ['schema', 'show'],
  summary: 'show one event type: topic template, version, subscription filters and JSON Schema',
  usage: 'schema show [options] <type>',
  examples: [
    {
      command: 'schema show gerrit.comment-added',
      description: 'template, version, filters and the data schema',
    },
    { command: 'schema show zuul.report --format json | jq .schema', description: 'machine-readable' },
    { command: 'schema show --list', description: 'every declared event type, one per line' },
  ],
  options: {
    major: { type: 'string', value: 'N', description: 'Schema major version (default: the newest).' },
    format: { type: 'string', value: 'text|json', default: 'text', description: 'Output format.' },
    list: { type: 'boolean', short: 'l', description: 'List declared event types instead.' },
  },
  positionals: { min: 0, max: 1 },
  // The implementation (and what it imports) loads only when the command runs: not for --help.
  run: async (context) => (await import('../commands/schema-show.js')).implementation.run(context),
};
