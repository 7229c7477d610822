import type { Command, OptionSpec } from './command.js';
import { EXIT_CODES_HELP, exitCodesHelp } from './exit-codes.js';

/** Options every command accepts; kept here so help and the parser agree. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { type: 'boolean', short: 'h', description: 'Show this help and exit.' },
};

/** `Usage: firehose tail [options] [filter…]` */
export function formatUsage(command: Command): string {
  return `Usage: firehose ${command.usage}`;
}

/** Full `--help`: examples first, then usage, options, details and exit codes. */
export function formatHelp(command: Command): string {
  const lines: string[] = [`firehose ${command.name.join(' ')} — ${command.summary}`, ''];
  if (command.examples.length > 0) {
    lines.push('Examples:');
    for (const example of command.examples) {
      lines.push(`  $ firehose ${example.command}`, `      ${example.description}`);
    }
    lines.push('');
  }
  lines.push(formatUsage(command));
  if (command.aliases !== undefined && command.aliases.length > 0) {
    lines.push(`Alias: firehose ${command.aliases.join(', firehose ')}`);
  }
  lines.push('', 'Options:');
  const options = { ...command.options, ...COMMON_OPTIONS };
  const rows = Object.entries(options).map(
    ([name, spec]) => [flagLabel(name, spec), optionText(spec)] as const,
  );
  const width = Math.min(32, Math.max(...rows.map(([label]) => label.length)));
  for (const [label, text] of rows) {
    const padded = label.length > width ? `${label}\n${' '.repeat(width + 4)}` : label.padEnd(width);
    lines.push(`  ${padded}  ${text}`);
  }
  if (command.details !== undefined) lines.push('', command.details.trimEnd());
  lines.push('', exitCodesHelp('timeout' in command.options));
  return `${lines.join('\n')}\n`;
}

/** `firehose --help`: the command list. */
export function formatTopLevelHelp(
  commands: readonly Pick<Command, 'name' | 'summary'>[],
  version: string,
): string {
  const lines = [
    `firehose ${version} — the firehose event bus from the command line`,
    '',
    'Examples:',
    '  $ firehose broker                      run a broker on :1883 (MQTT), :8080 (WebSocket), :9090 (HTTP)',
    '  $ firehose tail --service gerrit       watch every Gerrit event, one coloured line each',
    '  $ firehose tail -o ndjson | jq .event.type',
    '  $ firehose pub gerrit/openstack/nova/comment-added --file event.json --username gerrit',
    '',
    'Usage: firehose <command> [options]     (firehose <command> --help for details)',
    '',
    'Commands:',
  ];
  const width = Math.max(...commands.map((command) => command.name.join(' ').length));
  for (const command of commands) {
    lines.push(`  ${command.name.join(' ').padEnd(width)}  ${command.summary}`);
  }
  lines.push('', 'Options:', '  -h, --help     Show this help.', '  -V, --version  Print the version.');
  lines.push('', EXIT_CODES_HELP);
  return `${lines.join('\n')}\n`;
}

function flagLabel(name: string, spec: OptionSpec): string {
  const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
  const value = spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : '';
  return `${short}--${name}${value}`;
}

function optionText(spec: OptionSpec): string {
  const extras: string[] = [];
  if (spec.default !== undefined) extras.push(`default: ${spec.default}`);
  if (spec.multiple === true) extras.push('repeatable');
  if (extras.length === 0) return spec.description;
  const ends = spec.description.endsWith('.');
  return `${ends ? spec.description.slice(0, -1) : spec.description} (${extras.join('; ')})${ends ? '.' : ''}`;
}
