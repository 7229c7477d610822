import { aggregate } from '../bench/aggregate.js';
import { distribute } from '../bench/plans.js';
import { formatReport } from '../bench/report.js';
import { WorkerPool } from '../bench/worker-pool.js';
import { checkBrokerUrl } from '../env.js';
import type { CommandImplementation } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { UsageError } from '../usage-error.js';

export const implementation: CommandImplementation = {
  async run({ args, stdout, stderr, signal }) {
    const publishers = args.integer('publishers', { min: 0, max: 10_000 }) ?? 2;
    const subscribers = args.integer('subscribers', { min: 0, max: 10_000 }) ?? 2;
    const processes = Math.min(
      args.integer('processes', { min: 1, max: 256 }) ?? 2,
      Math.max(1, publishers + subscribers),
    );
    const qos = Number(args.choice('qos', ['0', '1'], '0')) as 0 | 1;
    const size = args.integer('size', { min: 1, max: 16 * 1024 * 1024 }) ?? 200;
    const rate = args.integer('rate', { min: 0 }) ?? 0;
    const durationMs = args.duration('duration') ?? 10_000;
    const topic = args.string('topic') ?? 'bench';
    const format = args.choice('format', ['text', 'json'], 'text');
    const drainMs = args.duration('drain') ?? 2000;
    if (publishers === 0) throw new UsageError('--publishers must be at least 1.');
    const given = args.string('url');
    if (given !== undefined) checkBrokerUrl(given, '--url');

    // Loaded here, not at the top: the registry imports every command module (commands.ts).
    const { createBroker } = await import('@firehose/broker');
    const broker =
      given === undefined
        ? await createBroker({
            listeners: { mqtt: { host: '127.0.0.1', port: 0 } },
            anonymous: { write: [`${topic}/#`] },
          })
        : undefined;
    await broker?.listen();
    const url = given ?? broker?.url('mqtt') ?? '';
    const plans = distribute(processes, publishers, subscribers, { url, qos, size, rate, durationMs, topic });
    const pool = new WorkerPool(plans, signal);
    try {
      await pool.until(() => pool.count('ready') === plans.length, 30_000);
      stderr.write(
        `firehose bench: ${publishers} publishers, ${subscribers} subscribers in ${plans.length} processes → ${url}\n`,
      );
      const started = performance.now();
      pool.send({ kind: 'start' });
      const publishing = plans.filter((plan) => plan.publishers > 0).length;
      await pool.until(() => pool.count('published') === publishing, durationMs + 60_000);
      const elapsed = (performance.now() - started) / 1000;
      // Let in-flight deliveries land before counting them.
      await new Promise((resolve) => setTimeout(resolve, drainMs));
      pool.send({ kind: 'finish' });
      await pool.until(() => pool.count('received') === plans.length, 30_000);
      const run = { url, publishers, subscribers, processes: plans.length, qos, size, rate, elapsed };
      const result = aggregate(run, pool.messages);
      stdout.write(format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatReport(result));
      return ExitCode.ok;
    } finally {
      pool.stop();
      await broker?.close();
    }
  },
};
