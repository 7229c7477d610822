import type { BrokerConfigInput } from '@firehose/broker';
import { isFirehoseError } from '@firehose/protocol';
import { isCatalogueError } from '@firehose/schema/site';
import type { CommandImplementation } from '../command.js';
import { useColour } from '../output/colour.js';
import { ExitCode } from '../exit-codes.js';
import { createLogger } from '../logger.js';
import { describeError } from '../describe-error.js';
import type { ParsedArgs } from '../parsed-args.js';
import { UsageError } from '../usage-error.js';

/** A shutdown that has not finished by then will not; exit 1 instead of hanging a deploy. */
const SHUTDOWN_DEADLINE_MS = 15_000;

export const implementation: CommandImplementation = {
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
