import type { Readable, Writable } from 'node:stream';
import type { CliEnv } from './env.js';
import type { ParsedArgs } from './parsed-args.js';

/** One flag of a command, in the shape `node:util` `parseArgs` wants plus what `--help` shows. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The flag may be repeated; values are collected in order. */
  readonly multiple?: boolean;
  /** Placeholder shown in help, e.g. `URL` in `--url URL`. */
  readonly value?: string;
  /** Default shown in help (the command applies it, so `undefined` still means "not given"). */
  readonly default?: string;
  readonly description: string;
}

export interface Example {
  readonly command: string;
  readonly description: string;
}

/** Streams and environment a command runs with; `bin.ts` passes the process's own. */
export interface CommandContext {
  readonly args: ParsedArgs;
  readonly env: CliEnv;
  readonly stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  /** Aborted on the first SIGINT/SIGTERM; long-running commands stop cleanly when it fires. */
  readonly signal: AbortSignal;
}

/**
 * A `firehose` command as `--help` and the dispatcher see it: one file under `src/definitions/`
 * exports one of these. It holds only data, and its `run` imports the command's implementation
 * (`src/commands/`) when called, so `firehose --help` loads no client, schema or broker.
 */
export interface Command {
  /** Words after `firehose`, e.g. `['schema', 'export']`. */
  readonly name: readonly string[];
  readonly aliases?: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** Usage line without the leading `firehose`, e.g. `tail [options] [filter…]`. */
  readonly usage: string;
  /** Shown first in `--help`: users copy examples more than they read option lists. */
  readonly examples: readonly Example[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Inclusive bounds on positional arguments. @default { min: 0, max: 0 } */
  readonly positionals?: { readonly min: number; readonly max?: number };
  /** Extra help after the options (grammar, template syntax). */
  readonly details?: string;
  /** Returns the exit code. Throw `UsageError` for exit 2, `TimeoutExpired` for 3, anything else for 1. */
  run(context: CommandContext): Promise<number>;
}

/** What a command does: each file under `src/commands/` exports one, loaded when its command runs. */
export type CommandImplementation = Pick<Command, 'run'>;
