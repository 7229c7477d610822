import type { BenchResult } from './aggregate.js';

/** The text report: one line each for the load, publishing, delivery, latency and memory. */
export function formatReport(result: BenchResult): string {
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
