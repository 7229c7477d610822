import type { Command } from './command.js';

/**
 * What `firehose --help` and the dispatcher need to know about a command before loading it. The
 * command modules pull in the broker, the client and the schema's compiled validators; loading only
 * the one being run keeps `firehose --version` and `firehose tail --bogus` instant.
 */
export interface CommandEntry {
  readonly name: readonly string[];
  readonly aliases?: readonly string[];
  readonly summary: string;
  load(): Promise<Command>;
}

/** Every `firehose` command, in the order `firehose --help` lists them. */
export const commands: readonly CommandEntry[] = [
  {
    name: ['broker'],
    summary: 'run a firehose broker (MQTT, WebSocket, HTTP metrics) until SIGTERM/SIGINT',
    load: async () => (await import('./commands/broker.js')).brokerCommand,
  },
  {
    name: ['tail'],
    aliases: ['sub'],
    summary: 'print events as they arrive (pretty, terse, json, ndjson or a template)',
    load: async () => (await import('./commands/tail.js')).tailCommand,
  },
  {
    name: ['pub'],
    summary: 'validate and publish events (JSON argument, file, or NDJSON on stdin); all or nothing',
    load: async () => (await import('./commands/pub.js')).pubCommand,
  },
  {
    name: ['bridge', 'gerrit'],
    summary: 'publish Gerrit stream-events (JSON lines on stdin) as firehose events',
    load: async () => (await import('./commands/bridge-gerrit.js')).bridgeGerritCommand,
  },
  {
    name: ['topics'],
    summary: "the topic catalogue: declared event types beside the broker's observed counts",
    load: async () => (await import('./commands/topics.js')).topicsCommand,
  },
  {
    name: ['schema', 'export'],
    summary: 'write every event type as JSON Schema plus one AsyncAPI 3.0 document',
    load: async () => (await import('./commands/schema-export.js')).schemaExportCommand,
  },
  {
    name: ['schema', 'show'],
    summary: 'show one event type: topic template, version, subscription filters and JSON Schema',
    load: async () => (await import('./commands/schema-show.js')).schemaShowCommand,
  },
  {
    name: ['passwd'],
    summary: 'print a scrypt hash of a password for the broker config',
    load: async () => (await import('./commands/passwd.js')).passwdCommand,
  },
  {
    name: ['bench'],
    summary: 'load generator: publishers and subscribers in worker processes; prints msg/s and latency',
    load: async () => (await import('./commands/bench.js')).benchCommand,
  },
];
