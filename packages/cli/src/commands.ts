import type { Command } from './command.js';
import { benchCommand } from './commands/bench.js';
import { bridgeGerritCommand } from './commands/bridge-gerrit.js';
import { brokerCommand } from './commands/broker.js';
import { historyCommand } from './commands/history.js';
import { passwdCommand } from './commands/passwd.js';
import { pubCommand } from './commands/pub.js';
import { schemaCheckCommand } from './commands/schema-check.js';
import { schemaCodegenCommand } from './commands/schema-codegen.js';
import { schemaExportCommand } from './commands/schema-export.js';
import { schemaShowCommand } from './commands/schema-show.js';
import { tailCommand } from './commands/tail.js';
import { topicsCommand } from './commands/topics.js';

/**
 * Every `firehose` command, in the order `firehose --help` lists them. Each module carries its own
 * name, aliases and summary. `@firehose/broker` (aedes, redis, level) is imported by the commands
 * that need it only when they run, so loading this list costs what `tail` needs anyway.
 */
export const commands: readonly Command[] = [
  brokerCommand,
  tailCommand,
  historyCommand,
  pubCommand,
  bridgeGerritCommand,
  topicsCommand,
  schemaCheckCommand,
  schemaExportCommand,
  schemaCodegenCommand,
  schemaShowCommand,
  passwdCommand,
  benchCommand,
];
