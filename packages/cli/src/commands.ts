import type { Command } from './command.js';
import { benchCommand } from './definitions/bench.js';
import { bridgeGerritCommand } from './definitions/bridge-gerrit.js';
import { brokerCommand } from './definitions/broker.js';
import { historyCommand } from './definitions/history.js';
import { passwdCommand } from './definitions/passwd.js';
import { pubCommand } from './definitions/pub.js';
import { schemaCheckCommand } from './definitions/schema-check.js';
import { schemaCodegenCommand } from './definitions/schema-codegen.js';
import { schemaExportCommand } from './definitions/schema-export.js';
import { schemaShowCommand } from './definitions/schema-show.js';
import { tailCommand } from './definitions/tail.js';
import { topicsCommand } from './definitions/topics.js';

/**
 * Every `firehose` command, in the order `firehose --help` lists them. Each module carries its own
 * name, aliases, summary and flags, and nothing heavier: each command's implementation (the client,
 * the schema's validators, the broker) is imported only when that command runs.
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
