export { runCli, describeError, type CliStreams } from './run-cli.js';
export { loadEnv, type CliEnv } from './env.js';
export { ExitCode, type ExitCodeValue } from './exit-codes.js';
export { commands, type CommandEntry } from './commands.js';
export type { Command, CommandContext, Example, OptionSpec } from './command.js';
