import type { BrokerConfigInput } from '@firehose/broker';
import { isFirehoseError } from '@firehose/protocol';
import { isCatalogueError } from '@firehose/schema/site';
import type { Command } from '../command.js';
import { useColour } from '../output/colour.js';
import { ExitCode } from '../exit-codes.js';
import { createLogger } from '../logger.js';
import { describeError } from '../describe-error.js';
import type { ParsedArgs } from '../parsed-args.js';
import { UsageError } from '../usage-error.js';

/** A shutdown that has not finished by then will not; exit 1 instead of hanging a deploy. */
const SHUTDOWN_DEADLINE_MS = 15_000;

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
  async run({ args, env, stdout, signal }) {
    // Loaded here, not at the top: the registry imports every command module (commands.ts).
    const { createBroker, flagsToConfig, loadConfig, printConfig } = await import('@firehose/broker');
    const flags = brokerFlags(args, flagsToConfig);
    const file = args.string('config');
    const sources = { ...(file === undefined ? {} : { file }), env: env.brokerEnv, flags };
    const config = await loadConfig(sources);
    if (args.boolean('print-config')) {
      stdout.write(printConfig(config).replace(/\n?$/, '\n'));
      return ExitCode.ok;
    }
    const logger = createLogger({
      level: config.log.level,
      stream: stdout,
      colour: useColour('auto', env, stdout),
    });
    // The intake's secrets (`ingest.secretEnv` of a catalogue) are read from the environment.
    const broker = await createBroker(config, { logger, env: { ...process.env, ...env.brokerEnv } });
    broker.on('error', (error) => logger.error({ err: error }, 'broker error'));
    // A signal while listen() still waits (for redis) stops the broker there.
    const stopStarting = (): void => void broker.close();
    signal.addEventListener('abort', stopStarting, { once: true });
    try {
      await broker.listen();
    } catch (error) {
      if (!signal.aborted) throw error;
      logger.info({ signal: String(signal.reason) }, 'stopped before listening');
      return ExitCode.ok;
    } finally {
      signal.removeEventListener('abort', stopStarting);
    }
    const urls = {
      mqtt: broker.url('mqtt'),
      mqtts: broker.url('mqtts'),
      ws: broker.url('ws'),
      wss: broker.url('wss'),
      http: addressUrl(broker.address('http')),
    };
    logger.info(
      Object.fromEntries(Object.entries(urls).filter(([, url]) => url !== undefined)),
      'firehose broker ready',
    );
    // SIGHUP re-reads file and env (flags still win) and the catalogue files, and applies what
    // can change live: services, accounts, ACLs, limits, TLS certificates. A broken config or a
    // refused catalogue (a bad file, a breaking schema change without a new major) changes
    // nothing: it is logged with file, line and reason, and the running broker carries on.
    const onHangup = (): void => {
      void (async () => {
        let next;
        try {
          next = await loadConfig(sources);
        } catch (error) {
          logger.error({ err: error }, `SIGHUP: config not reloaded: ${describeError(error)}`);
          return;
        }
        try {
          const reload = await broker.reloadCatalogue(next);
          logger.info(reload, 'SIGHUP: catalogue reloaded');
        } catch (error) {
          const problems = isCatalogueError(error) ? error.problems : undefined;
          logger.error(
            { problems, err: error },
            `SIGHUP: nothing reloaded, the running catalogue is kept: ${describeError(error)}`,
          );
          return;
        }
        const changes = broker.reload(next);
        logger.info({ live: changes.live, restart: changes.restart }, 'SIGHUP: configuration reloaded');
      })();
    };
    process.on('SIGHUP', onHangup);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    process.off('SIGHUP', onHangup);
    logger.info({ signal: String(signal.reason) }, 'shutting down (send the signal again to exit at once)');
    try {
      await withDeadline(broker.close(), SHUTDOWN_DEADLINE_MS);
    } catch (error) {
      logger.error({ err: error }, `shutdown failed: ${describeError(error)}`);
      return ExitCode.error;
    }
    logger.info('broker closed');
    return ExitCode.ok;
  },
};

function addressUrl(address: { host: string; port: number } | undefined): string | undefined {
  if (address === undefined) return undefined;
  // A wildcard bind address is not something to type into a browser.
  const bound = address.host === '0.0.0.0' || address.host === '::' ? 'localhost' : address.host;
  const host = bound.includes(':') ? `[${bound}]` : bound;
  return `http://${host}:${address.port}`;
}

/** `--port`, `--ws-port`, … through the broker's own flag table (one source for names and checks). */
function brokerFlags(
  args: ParsedArgs,
  flagsToConfig: (flags: Record<string, string | string[]>) => BrokerConfigInput,
): BrokerConfigInput {
  const flags: Record<string, string | string[]> = {};
  for (const name of ['port', 'ws-port', 'http-port', 'persistence', 'log-level']) {
    const value = args.string(name);
    if (value !== undefined) flags[name] = value;
  }
  const catalogues = args.strings('catalogue');
  if (catalogues.length > 0) flags.catalogue = catalogues;
  try {
    return flagsToConfig(flags);
  } catch (error) {
    // A malformed flag value is a usage mistake (exit 2), not a run-time failure.
    if (isFirehoseError(error, 'INVALID_CONFIG')) throw new UsageError(error.message);
    throw error;
  }
}

function withDeadline(work: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the broker did not finish closing within ${ms / 1000} s`)),
      ms,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
