export { runCli, type CliStreams } from './run-cli.js';
export { describeError } from './describe-error.js';
export { loadEnv, type CliEnv } from './env.js';
export { ExitCode, type ExitCodeValue } from './exit-codes.js';
export { commands } from './commands.js';
export type { Command, CommandContext, Example, OptionSpec } from './command.js';
