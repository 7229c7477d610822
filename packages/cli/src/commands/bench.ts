import { aggregate } from '../bench/aggregate.js';
import { distribute } from '../bench/plans.js';
import { formatReport } from '../bench/report.js';
import { WorkerPool } from '../bench/worker-pool.js';
import { checkBrokerUrl } from '../env.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { UsageError } from '../usage-error.js';

export const benchCommand: Command = {
  name: ['bench'],
  summary: 'load generator: publishers and subscribers in worker processes; prints msg/s and latency',
  usage: 'bench [options]',
  examples: [
    {
      command: 'bench',
      description: '10 s, 2 publishers, 2 subscribers, QoS 0, 200 B, against an in-process broker',
    },
    {
      command: 'bench --url mqtt://broker:1883 --qos 1 --size 2048 --rate 500 --publishers 4 --processes 4',
      description:
        'a fixed load against a running broker (needs anonymous write on bench/# or a real account)',
    },
  ],
  options: {
    url: {
      type: 'string',
      value: 'URL',
      description: 'Broker to load (default: start one in this process on a free port).',
    },
    publishers: { type: 'string', short: 'P', value: 'N', description: 'Publishing clients.', default: '2' },
    subscribers: {
      type: 'string',
      short: 'S',
      value: 'N',
      description: 'Subscribing clients (each receives every message).',
      default: '2',
    },
    processes: {
      type: 'string',
      value: 'N',
      description: 'Worker processes the clients are spread over.',
      default: '2',
    },
    qos: {
      type: 'string',
      short: 'q',
      value: '0|1',
      description: 'QoS of publishes and subscriptions.',
      default: '0',
    },
    size: { type: 'string', value: 'BYTES', description: 'Approximate payload size.', default: '200' },
    rate: {
      type: 'string',
      value: 'N',
      description: 'Messages per second per publisher; 0 = as fast as possible.',
      default: '0',
    },
    duration: {
      type: 'string',
      short: 'd',
      value: 'DURATION',
      description: 'How long publishers run.',
      default: '10s',
    },
    topic: {
      type: 'string',
      value: 'PREFIX',
      description: 'Topic prefix (undeclared, so validation is a trie miss).',
      default: 'bench',
    },
    drain: {
      type: 'string',
      value: 'DURATION',
      description: 'After publishing stops, how long to wait for deliveries still in flight.',
      default: '2s',
    },
    format: {
      type: 'string',
      short: 'o',
      value: 'text|json',
      description: 'Output format.',
      default: 'text',
    },
  },
  details:
    'Latency is publish → delivery, from a wall-clock stamp in each message (same host, so clocks agree).\nBenchmarks print figures; they assert nothing.',
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
