import { eventTypes, getEventType, type EventType } from '@firehose/schema';
import type { CommandImplementation } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { UsageError } from '../usage-error.js';

export const implementation: CommandImplementation = {
  run({ args, stdout, stderr }) {
    const format = args.choice('format', ['text', 'json'], 'text');
    if (args.boolean('list')) {
      for (const eventType of eventTypes) {
        const flag = eventType.deprecated ? ' (deprecated)' : '';
        stdout.write(`${eventType.type} v${eventType.version}${flag}  ${eventType.template.pattern}\n`);
      }
      return Promise.resolve(ExitCode.ok);
    }
    const name = args.positionals[0];
    if (name === undefined)
      throw new UsageError('missing the event type, e.g. gerrit.comment-added (or use --list).');
    const eventType = getEventType(name, args.integer('major', { min: 1 }));
    if (eventType === undefined) {
      const near = eventTypes.filter((candidate) => candidate.type.startsWith(name.split('.')[0] ?? name));
      const hint =
        near.length > 0
          ? ` Known ${name.split('.')[0] ?? ''} types: ${near.map((t) => t.type).join(', ')}.`
          : '';
      stderr.write(
        `firehose schema show: no event type '${name}'.${hint} Run 'firehose schema show --list'.\n`,
      );
      return Promise.resolve(ExitCode.error);
    }
    stdout.write(
      format === 'json' ? `${JSON.stringify(describe(eventType), null, 2)}\n` : formatText(eventType),
    );
    return Promise.resolve(ExitCode.ok);
  },
};

function describe(eventType: EventType): Record<string, unknown> {
  return {
    type: eventType.type,
    service: eventType.service,
    event: eventType.event,
    version: eventType.version,
    dataschema: eventType.dataschema,
    deprecated: eventType.deprecated,
    description: eventType.description,
    topic: eventType.template.pattern,
    params: eventType.template.params,
    filters: eventType.template.filters(),
    schema: eventType.schema,
  };
}

function formatText(eventType: EventType): string {
  const lines = [
    `${eventType.type} (schema v${eventType.version}${eventType.deprecated ? ', deprecated' : ''})`,
    `  ${eventType.description}`,
    '',
    `  topic       ${eventType.template.pattern}`,
    `  params      ${eventType.template.params.join(', ') || '(none)'}`,
    `  dataschema  ${eventType.dataschema}`,
    `  filters     ${eventType.template.filters().join('  ')}`,
    '',
    'JSON Schema of data:',
    JSON.stringify(eventType.schema, null, 2),
  ];
  return `${lines.join('\n')}\n`;
}
