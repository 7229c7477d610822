import type { Command } from '../command.js';
import { CONNECTION_OPTIONS } from './shared-options.js';

export const topicsCommand: Command = {
  name: ['topics'],
  summary: "the topic catalogue: declared event types beside the broker's observed counts",
  usage: 'topics [options]',
  examples: [
    {
      command: 'topics',
      description:
        'every declared event type with count, rate, invalid and last seen; undeclared topics flagged',
    },
    { command: "topics --format json | jq '.undeclared[].topic'", description: 'topics no schema declares' },
    {
      command: 'topics --declared',
      description: 'the built-in event types only (no broker needed)',
    },
  ],
  options: {
    ...CONNECTION_OPTIONS,
    format: {
      type: 'string',
      short: 'o',
      value: 'table|json',
      description: 'Output format.',
      default: 'table',
    },
    declared: {
      type: 'boolean',
      description: "Skip the broker: list the built-in event types only (a site's own come from the broker).",
    },
    seen: { type: 'boolean', description: 'Only rows the broker has seen at least once.' },
    wide: { type: 'boolean', short: 'w', description: 'table: add the publishers and description columns.' },
    wait: {
      type: 'string',
      value: 'DURATION',
      description: 'How long to collect retained catalogue records after subscribing.',
      default: '1s',
    },
    color: {
      type: 'string',
      value: 'WHEN',
      description: 'auto|always|never; a non-empty NO_COLOR always wins.',
      default: 'auto',
    },
  },
  details: `Observed figures come from the broker's retained $firehose/catalogue/<node>/{declared,undeclared}/…
records (refreshed every catalogue.interval seconds); a cluster's nodes are summed.
The declared event types are the built-in services' plus the site's own, read from the broker's retained
$firehose/services record (its catalogue files), so a new service shows without a rebuild.`,
  // The implementation (and what it imports) loads only when the command runs: not for --help.
  run: async (context) => (await import('../commands/topics.js')).implementation.run(context),
};
