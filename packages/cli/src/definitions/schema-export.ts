import type { Command } from '../command.js';

export const schemaExportCommand: Command = {
  name: ['schema', 'export'],
  summary:
    'write every event type as JSON Schema, one AsyncAPI 3.0 document and the history API as OpenAPI 3.1',
  usage: 'schema export --out DIR',
  examples: [
    {
      command: 'schema export --out ./schemas',
      description: 'write ./schemas/*.json, ./schemas/asyncapi.json and ./schemas/history-openapi.json',
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
  // The implementation (and what it imports) loads only when the command runs: not for --help.
  run: async (context) => (await import('../commands/schema-export.js')).implementation.run(context),
};
