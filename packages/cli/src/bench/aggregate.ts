import { percentile, type WorkerMessage } from './protocol.js';

/** One bench run's figures, as `--format json` prints them. */
export interface BenchResult {
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
}

/** What the run was asked to do (the parts of the result the workers do not report). */
export interface BenchRun {
  url: string;
  publishers: number;
  subscribers: number;
  processes: number;
  qos: 0 | 1;
  size: number;
  rate: number;
  /** Seconds from start to the last publisher's report. */
  elapsed: number;
}

/** Sums the workers' reports into one result. */
export function aggregate(run: BenchRun, messages: readonly WorkerMessage[]): BenchResult {
  const sent = sum(messages, (m) => (m.kind === 'published' ? m.sent : 0));
  const failed = sum(messages, (m) => (m.kind === 'published' ? m.failed : 0));
  const received = sum(messages, (m) => (m.kind === 'received' ? m.received : 0));
  const latencies = messages.flatMap((m) => (m.kind === 'received' ? m.latencies : [])).sort((a, b) => a - b);
  const { elapsed } = run;
  return {
    url: run.url,
    publishers: run.publishers,
    subscribers: run.subscribers,
    processes: run.processes,
    qos: run.qos,
    size:
      messages.reduce((bytes, m) => (m.kind === 'published' ? Math.max(bytes, m.payloadBytes) : bytes), 0) ||
      run.size,
    rate: run.rate,
    seconds: round(elapsed),
    published: sent,
    failed,
    publishedPerSecond: Math.round(sent / elapsed),
    delivered: received,
    expected: sent * run.subscribers,
    deliveredPerSecond: Math.round(received / elapsed),
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p90: round(percentile(latencies, 90)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? Number.NaN),
    },
    rssMb: Math.round(process.memoryUsage().rss / 1048576),
  };
}

function sum(messages: readonly WorkerMessage[], pick: (message: WorkerMessage) => number): number {
  return messages.reduce((total, message) => total + pick(message), 0);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
