import { connect, type FirehoseClient, type Logger } from '@firehose/client';
import { FirehoseError } from '@firehose/protocol';
import { createSimulation, type SimulationOptions } from './simulation.js';

/** One service account's credentials, as in the broker config's `accounts` (plaintext side). */
export interface ServiceAccount {
  username: string;
  password: string;
}

export interface StartPublishersOptions extends SimulationOptions {
  /** Broker URL(s), e.g. `mqtt://127.0.0.1:1883`; several are tried in turn on reconnect. */
  url: string | readonly string[];
  /**
   * Credentials per service (`gerrit`, `zuul`, `launchpad`, `gearman-subunit`, `gearman-logstash`,
   * `ansible`). Each service publishes over its own connection with its own account, as upstream
   * services would; events of a service without an account are skipped.
   */
  accounts: Readonly<Record<string, ServiceAccount>>;
  /**
   * QoS of each publish. 1 is end-to-end at-least-once, what real publishers should use.
   * @default 1
   */
  qos?: 0 | 1;
  /**
   * Unacknowledged publishes per service before further events of that service are dropped (and
   * counted), so a slow broker makes the demo shed load instead of growing memory without bound.
   * @default 2000
   */
  maxInFlight?: number;
  /**
   * How often due events are published, in milliseconds.
   * @default 50
   */
  tick?: number;
  /**
   * pino-compatible logger.
   * @default a logger that discards everything
   */
  logger?: Logger;
}

/** Counters of a running set of publishers. */
export interface PublisherStats {
  /** Events acknowledged by the broker (QoS 1) or handed to the socket (QoS 0), per service. */
  readonly published: Record<string, number>;
  /** Publishes that failed (timeout, connection closed). */
  failed: number;
  /** Events shed because a service had `maxInFlight` publishes outstanding. */
  dropped: number;
}

/** Running publishers; `stop()` closes every connection. */
export interface Publishers {
  readonly stats: PublisherStats;
  /** Total events published so far. */
  readonly total: number;
  stop(): Promise<void>;
}

const noop = (): void => undefined;
const silent: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * Connects one client per service account, then publishes the simulation in real time: each event
 * goes out when the wall clock reaches its simulated time.
 */
export async function startPublishers(options: StartPublishersOptions): Promise<Publishers> {
  const logger = options.logger ?? silent;
  const qos = options.qos ?? 1;
  const maxInFlight = options.maxInFlight ?? 2000;
  const tick = options.tick ?? 50;
  const urls = typeof options.url === 'string' ? options.url : [...options.url];
  const services = Object.keys(options.accounts);
  if (services.length === 0) {
    throw new FirehoseError(
      'INVALID_CONFIG',
      'No service accounts were given, so nothing can be published; pass accounts (see demo/accounts.json).',
      { path: 'accounts' },
    );
  }
  const simulation = createSimulation({ ...options, start: options.start ?? Date.now() });
  // Run the warm-up now (seconds at high rates); then publish each event `lag` ms after its
  // simulated time, so the warm-up does not turn into a burst. Events keep their own timestamps:
  // they read as published a moment after they happened, as through any real bridge.
  simulation.take(simulation.start - 1);

  const clients = new Map<string, FirehoseClient>();
  // allSettled, not all: on a refused login every other connection must be closed too, including
  // those still connecting when the first one failed.
  const results = await Promise.allSettled(
    services.map(async (service) => {
      const account = options.accounts[service] as ServiceAccount;
      const client = await connect(urls, {
        username: account.username,
        password: account.password,
        clientId: `${account.username}-demo-${process.pid}`,
        logger,
      });
      clients.set(service, client);
    }),
  );
  const refused = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (refused !== undefined) {
    await Promise.allSettled([...clients.values()].map((client) => client.close()));
    throw refused.reason;
  }
  logger.info({ services, rate: options.rate ?? 1, seed: options.seed ?? 1 }, 'demo publishers connected');

  const stats: PublisherStats = {
    published: Object.fromEntries(services.map((s) => [s, 0])),
    failed: 0,
    dropped: 0,
  };
  const inFlight = new Map(services.map((s) => [s, 0]));
  let total = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const publishDue = (): void => {
    for (const event of simulation.take(Date.now() - lag)) {
      const client = clients.get(event.service);
      if (client === undefined) continue;
      const pending = inFlight.get(event.service) ?? 0;
      if (pending >= maxInFlight) {
        stats.dropped += 1;
        continue;
      }
      inFlight.set(event.service, pending + 1);
      client
        .publish(event.topic, event.data, { qos, time: new Date(event.time) })
        .then(
          () => {
            stats.published[event.service] = (stats.published[event.service] ?? 0) + 1;
            total += 1;
          },
          (error: unknown) => {
            stats.failed += 1;
            // Once per hundred, so a broker outage does not flood the terminal.
            if (stats.failed % 100 === 1)
              logger.warn({ err: error, topic: event.topic }, 'demo publish failed');
          },
        )
        .finally(() => inFlight.set(event.service, (inFlight.get(event.service) ?? 1) - 1));
    }
  };

  // Measured after the warm-up and the logins, just before the first publish.
  const lag = Math.max(0, Date.now() - simulation.start);
  const loop = (): void => {
    if (stopped) return;
    publishDue();
    timer = setTimeout(loop, tick);
  };
  loop();

  return {
    stats,
    get total() {
      return total;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await Promise.allSettled([...clients.values()].map((client) => client.close()));
      logger.info(
        { published: total, failed: stats.failed, dropped: stats.dropped },
        'demo publishers stopped',
      );
    },
  };
}
