import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { percentile, type WorkerMessage, type WorkerPlan } from '../bench/protocol.js';
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
    const workers: ChildProcess[] = [];
    try {
      const plans = distribute(processes, publishers, subscribers, {
        url,
        qos,
        size,
        rate,
        durationMs,
        topic,
      });
      const workerFile = fileURLToPath(new URL('../bench/worker.js', import.meta.url));
      const messages: WorkerMessage[] = [];
      const waiters = new Set<() => void>();
      for (const plan of plans) {
        const child = fork(workerFile, [JSON.stringify(plan)], {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        child.on('message', (message: WorkerMessage) => {
          messages.push(message);
          for (const wake of waiters) wake();
        });
        child.on('exit', () => {
          for (const wake of waiters) wake();
        });
        workers.push(child);
      }
      const until = async (test: () => boolean, timeoutMs: number): Promise<void> => {
        const deadline = Date.now() + timeoutMs;
        while (!test()) {
          const failure = messages.find((message) => message.kind === 'error');
          if (failure?.kind === 'error') throw new Error(`a bench worker failed: ${failure.message}`);
          if (Date.now() > deadline || signal.aborted)
            throw new Error('bench workers did not respond in time.');
          await new Promise<void>((resolve) => {
            const wake = (): void => {
              waiters.delete(wake);
              clearTimeout(timer);
              resolve();
            };
            const timer = setTimeout(wake, 200);
            waiters.add(wake);
          });
        }
      };
      const count = (kind: WorkerMessage['kind']): number =>
        messages.filter((message) => message.kind === kind).length;
      await until(() => count('ready') === plans.length, 30_000);
      stderr.write(
        `firehose bench: ${publishers} publishers, ${subscribers} subscribers in ${plans.length} processes → ${url}\n`,
      );
      const started = performance.now();
      for (const worker of workers) worker.send({ kind: 'start' });
      const publishing = plans.filter((plan) => plan.publishers > 0).length;
      await until(() => count('published') === publishing, durationMs + 60_000);
      const elapsed = (performance.now() - started) / 1000;
      const sent = sum(messages, 'published', (m) => (m.kind === 'published' ? m.sent : 0));
      const failed = sum(messages, 'published', (m) => (m.kind === 'published' ? m.failed : 0));
      // Let in-flight deliveries land before counting them.
      await new Promise((resolve) => setTimeout(resolve, drainMs));
      for (const worker of workers) worker.send({ kind: 'finish' });
      await until(() => count('received') === plans.length, 30_000);
      const received = sum(messages, 'received', (m) => (m.kind === 'received' ? m.received : 0));
      const latencies = messages
        .flatMap((m) => (m.kind === 'received' ? m.latencies : []))
        .sort((a, b) => a - b);
      const result = {
        url,
        publishers,
        subscribers,
        processes: plans.length,
        qos,
        size:
          messages.reduce(
            (bytes, m) => (m.kind === 'published' ? Math.max(bytes, m.payloadBytes) : bytes),
            0,
          ) || size,
        rate,
        seconds: Math.round(elapsed * 100) / 100,
        published: sent,
        failed,
        publishedPerSecond: Math.round(sent / elapsed),
        delivered: received,
        expected: sent * subscribers,
        deliveredPerSecond: Math.round(received / elapsed),
        latencyMs: {
          p50: round(percentile(latencies, 50)),
          p90: round(percentile(latencies, 90)),
          p99: round(percentile(latencies, 99)),
          max: round(latencies.at(-1) ?? Number.NaN),
        },
        rssMb: Math.round(process.memoryUsage().rss / 1048576),
      };
      stdout.write(format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : text(result));
      return ExitCode.ok;
    } finally {
      for (const worker of workers) if (worker.exitCode === null) worker.kill();
      await broker?.close();
    }
  },
};

type Shared = Omit<WorkerPlan, 'index' | 'publishers' | 'subscribers'>;

/** Spreads clients over processes round-robin, so each process carries a similar share. */
function distribute(
  processes: number,
  publishers: number,
  subscribers: number,
  shared: Shared,
): WorkerPlan[] {
  const plans = Array.from({ length: processes }, (_, index) => ({
    ...shared,
    index,
    publishers: 0,
    subscribers: 0,
  }));
  for (let i = 0; i < subscribers; i++) plans[i % processes]!.subscribers += 1;
  for (let i = 0; i < publishers; i++) plans[(i + subscribers) % processes]!.publishers += 1;
  return plans.filter((plan) => plan.publishers + plan.subscribers > 0);
}

function sum(
  messages: readonly WorkerMessage[],
  kind: WorkerMessage['kind'],
  pick: (message: WorkerMessage) => number,
): number {
  return messages
    .filter((message) => message.kind === kind)
    .reduce((total, message) => total + pick(message), 0);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function text(result: {
  url: string;
  publishers: number;
  subscribers: number;
  processes: number;
  qos: number;
  size: number;
  rate: number;
  seconds: number;
  published: number;
  failed: number;
  publishedPerSecond: number;
  delivered: number;
  expected: number;
  deliveredPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  rssMb: number;
}): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  const share = result.expected === 0 ? '-' : `${((100 * result.delivered) / result.expected).toFixed(1)}%`;
  const lines = [
    `QoS ${result.qos}, ${n(result.size)} B, ${result.rate === 0 ? 'unlimited rate' : `${n(result.rate)} msg/s per publisher`}, ${result.seconds} s`,
    `published  ${n(result.published).padStart(12)} msg  ${n(result.publishedPerSecond).padStart(10)} msg/s${result.failed > 0 ? `  (${n(result.failed)} failed)` : ''}`,
    `delivered  ${n(result.delivered).padStart(12)} msg  ${n(result.deliveredPerSecond).padStart(10)} msg/s  (${share} of ${n(result.expected)})`,
    `latency    p50 ${result.latencyMs.p50} ms  p90 ${result.latencyMs.p90} ms  p99 ${result.latencyMs.p99} ms  max ${result.latencyMs.max} ms`,
    `parent RSS ${result.rssMb} MB${result.url.startsWith('mqtt://127.0.0.1') ? ' (includes the in-process broker)' : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}
