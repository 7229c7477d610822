import type { Command } from '../command.js';

/** `--log-level`'s choices. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const brokerCommand: Command = {
  name: ['broker'],
  summary: 'run a firehose broker (MQTT, WebSocket, HTTP metrics) until SIGTERM/SIGINT',
  usage: 'broker [options]',
  examples: [
    {
      command: 'broker',
      description: 'MQTT on :1883, WebSocket on :8080/mqtt, /metrics on :9090, anonymous read-only',
    },
    {
      command: 'broker --config firehose.yaml',
      description: 'listeners, accounts and limits from a YAML/JSON file',
    },
    {
      command: 'broker --port 0 --persistence level:./data',
      description: 'a free port, sessions kept on disk',
    },
    {
      command: 'broker --catalogue github.yaml --catalogue argocd.yaml',
      description: 'also run the services those catalogue files declare (re-read on SIGHUP)',
    },
    {
      command: 'broker --config firehose.yaml --print-config',
      description: 'show the effective config (secrets masked) and exit',
    },
  ],
  options: {
    config: {
      type: 'string',
      short: 'c',
      value: 'FILE',
      description: 'Config file (YAML or JSON; keys as in the broker README).',
    },
    port: {
      type: 'string',
      short: 'p',
      value: 'N',
      description: 'MQTT listener port; 0 picks a free one.',
      default: '1883',
    },
    'ws-port': { type: 'string', value: 'N', description: 'WebSocket listener port.', default: '8080' },
    'http-port': {
      type: 'string',
      value: 'N',
      description: 'HTTP port for /metrics, /healthz, /readyz.',
      default: '9090',
    },
    persistence: {
      type: 'string',
      value: 'SPEC',
      description: 'memory, level:DIR (on disk) or redis://HOST:PORT (cluster).',
      default: 'memory',
    },
    catalogue: {
      type: 'string',
      multiple: true,
      value: 'FILE',
      description:
        'Site catalogue file (YAML or JSON) whose services run beside the built-in ones; replaces catalogue.files of the config.',
    },
    'log-level': { type: 'string', value: 'LEVEL', description: LOG_LEVELS.join('|'), default: 'info' },
    'print-config': {
      type: 'boolean',
      description: 'Print the effective config with secrets masked, then exit.',
    },
  },
  details: `Precedence: flags > FIREHOSE_* environment variables > config file > defaults.
Logs: pretty on a terminal, one JSON object per line otherwise (stdout).
Catalogue: --catalogue FILE (repeatable) or catalogue.files in the config adds the services
declared in site catalogue files; catalogue.builtin: false leaves out the built-in OpenStack
ones. A refused catalogue file stops the start with exit 1, one file:line: field: reason a line.
Signals: SIGTERM or SIGINT stops accepting, flushes and disconnects clients, closes persistence;
a second signal exits at once. SIGHUP reloads the config file, env and catalogue files: services,
accounts, ACLs, limits and TLS certificates change without dropping connections (listeners and
persistence need a restart). A refused catalogue (a bad file, or a breaking schema change without
a new major) reloads nothing: it is logged at error and the running one keeps going.`,
  // The implementation (and what it imports) loads only when the command runs: not for --help.
  run: async (context) => (await import('../commands/broker.js')).implementation.run(context),
};
