import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestName } from '@firehose/protocol';
import type { Command, CommandContext } from './command.js';
import { commands } from './commands.js';
import { describeError } from './describe-error.js';
import type { CliEnv } from './env.js';
import { ExitCode } from './exit-codes.js';
import { COMMON_OPTIONS, formatHelp, formatTopLevelHelp, formatUsage } from './help.js';
import { ParsedArgs } from './parsed-args.js';
import { TimeoutExpired, UsageError } from './usage-error.js';
import { cliVersion } from './version.js';

export type CliStreams = Omit<CommandContext, 'args' | 'env'>;

/**
 * Runs one `firehose …` invocation and resolves to its exit code. Never throws: every failure is
 * turned into a message on stderr and the documented exit code.
 */
export async function runCli(argv: readonly string[], env: CliEnv, streams: CliStreams): Promise<number> {
  const { stdout, stderr } = streams;
  const first = argv[0];
  if (first === '--version' || first === '-V') {
    stdout.write(`${cliVersion()}\n`);
    return ExitCode.ok;
  }
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    // Asked for help: stdout, exit 0. No command at all is a usage mistake: stderr, exit 2.
    (first === undefined ? stderr : stdout).write(formatTopLevelHelp(commands, cliVersion()));
    return first === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const found = findCommand(commands, argv);
  if (found === undefined) return unknownCommand(commands, argv, streams);
  const { command, rest } = found;
  const label = `firehose ${command.name.join(' ')}`;
  try {
    const args = parse(command, rest);
    if (args.boolean('help')) {
      stdout.write(formatHelp(command));
      return ExitCode.ok;
    }
    return await command.run({ ...streams, args, env });
  } catch (error) {
    if (error instanceof UsageError) {
      stderr.write(
        `${label}: ${error.message}\n${formatUsage(command)}\nRun '${label} --help' for examples.\n`,
      );
      return ExitCode.usage;
    }
    if (error instanceof TimeoutExpired) {
      stderr.write(`${label}: ${error.message}\n`);
      return ExitCode.timeout;
    }
    stderr.write(`${label}: ${describeError(error)}\n`);
    return ExitCode.error;
  }
}

function findCommand(
  commands: readonly Command[],
  argv: readonly string[],
): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  let bestLength = 0;
  for (const command of commands) {
    for (const name of [command.name, ...(command.aliases ?? []).map((alias) => alias.split(' '))]) {
      const matchesName = name.every((word, index) => argv[index] === word);
      if (matchesName && name.length > bestLength) {
        best = { command, rest: argv.slice(name.length) };
        bestLength = name.length;
      }
    }
  }
  return best;
}

function unknownCommand(
  commands: readonly Command[],
  argv: readonly string[],
  { stdout, stderr }: CliStreams,
): number {
  const group = argv[0] ?? '';
  const subcommands = commands.filter((command) => command.name.length > 1 && command.name[0] === group);
  if (subcommands.length > 0) {
    const list = subcommands.map(
      (command) => `  firehose ${command.name.join(' ').padEnd(16)}  ${command.summary}`,
    );
    const wantsHelp = argv.includes('--help') || argv.includes('-h');
    const sub = argv[1];
    const text = `${list.join('\n')}\n`;
    if (wantsHelp && (sub === undefined || sub.startsWith('-'))) {
      stdout.write(`Usage: firehose ${group} <subcommand> [options]\n\nSubcommands:\n${text}`);
      return ExitCode.ok;
    }
    const guess =
      sub === undefined
        ? undefined
        : closestName(
            sub,
            subcommands.map((command) => command.name[1] ?? ''),
          );
    const what =
      sub === undefined || sub.startsWith('-') ? 'needs a subcommand' : `has no subcommand '${sub}'`;
    stderr.write(
      `firehose ${group} ${what}${guess === undefined ? '' : ` (did you mean 'firehose ${group} ${guess}'?)`}; use one of:\n${text}`,
    );
    return ExitCode.usage;
  }
  const names = commands.flatMap((command) => [command.name[0] ?? '', ...(command.aliases ?? [])]);
  const guess = closestName(group, new Set(names));
  stderr.write(
    `firehose: unknown command '${group}'${guess === undefined ? '' : `; did you mean 'firehose ${guess}'?`}.\nUsage: firehose <command> [options]; run 'firehose --help' for the list.\n`,
  );
  return ExitCode.usage;
}

function parse(command: Command, args: string[]): ParsedArgs {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries({ ...command.options, ...COMMON_OPTIONS })) {
    options[name] = {
      type: spec.type,
      ...(spec.short === undefined ? {} : { short: spec.short }),
      ...(spec.multiple === true ? { multiple: true } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(parseArgsMessage(error, Object.keys(options)));
  }
  const result = new ParsedArgs(parsed.values, parsed.positionals);
  if (result.boolean('help')) return result;
  const min = command.positionals?.min ?? 0;
  const max = command.positionals?.max ?? command.positionals?.min ?? 0;
  if (parsed.positionals.length < min) throw new UsageError('missing argument.');
  if (parsed.positionals.length > max) {
    throw new UsageError(`unexpected argument '${parsed.positionals[max] ?? ''}'.`);
  }
  return result;
}

/** Node's parseArgs messages are long and mention `--` tricks; keep the first clause. */
function parseArgsMessage(error: unknown, known: readonly string[]): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-{1,2}[\w-]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) {
    const guess = option.startsWith('--') ? closestName(option.slice(2), known) : undefined;
    return `unknown option '${option}'${guess === undefined ? '' : ` (did you mean --${guess}?)`}.`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
    return message.includes('argument missing')
      ? `option '${option}' needs a value.`
      : `option '${option}' takes no value.`;
  }
  return message.split('. ')[0]?.replace(/\.$/, '').concat('.') ?? message;
}
