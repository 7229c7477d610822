import type { Command } from '../command.js';

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
  // The implementation (and what it imports) loads only when the command runs: not for --help.
  run: async (context) => (await import('../commands/schema-codegen.js')).implementation.run(context),
};
