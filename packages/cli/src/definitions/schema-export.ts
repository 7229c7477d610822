import type { Command } from '../command.js';

export const schemaExportCommand: Command = {
  name: ['schema', 'export'],
  summary:
    'write every event type as JSON Schema, one AsyncAPI 3.0 document and the history API as OpenAPI 3.1',
  usage: 'schema export --out DIR [--site-only] [catalogue file…]',
  examples: [
    {
      command: 'schema export --out ./schemas',
      description: 'write ./schemas/*.json, ./schemas/asyncapi.json and ./schemas/history-openapi.json',
    },
    {
      command: 'schema export --out ./site --site-only catalogue/github.yaml catalogue/argocd.yaml',
      description:
        "your own services' AsyncAPI document (x-firehose-* included): publish it and run the broker on it",
    },
  ],
  options: {
    out: {
      type: 'string',
      short: 'o',
      value: 'DIR',
      description: 'Directory to write to (created if missing).',
    },
    'site-only': {
      type: 'boolean',
      description:
        'Export the catalogue files alone, without the built-in OpenStack services (catalogue.builtin: false).',
    },
  },
  positionals: { min: 0, max: Number.MAX_SAFE_INTEGER },
  details:
    'With catalogue files (YAML, JSON or AsyncAPI, as the broker reads them), their services are exported beside the built-in ones (or alone with --site-only); the files are checked as by schema check, and a refused one exits 1 with one "file:line: field: reason" line per problem. The asyncapi.json written loads back as a catalogue file with the same services.',
  // The implementation (and what it imports) loads only when the command runs: not for --help.
  run: async (context) => (await import('../commands/schema-export.js')).implementation.run(context),
};
