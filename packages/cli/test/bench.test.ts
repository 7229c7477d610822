import { describe, expect, it } from 'vitest';
import { run } from './helpers.js';

// A smoke test: bench must run end to end (broker, worker processes, IPC, report). It prints
// figures and the test asserts none of them beyond "messages flowed": speed lives in benchmarks.
describe('firehose bench', () => {
  it('runs publishers and subscribers in worker processes and reports msg/s and latency', async () => {
    const result = await run(
      [
        'bench',
        '--duration',
        '500ms',
        '--drain',
        '500ms',
        '--rate',
        '50',
        '--qos',
        '1',
        '-P',
        '1',
        '-S',
        '1',
        '--processes',
        '2',
        '-o',
        'json',
      ],
      { timeoutMs: 30_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      published: number;
      delivered: number;
      processes: number;
      latencyMs: { p50: number; p99: number };
    };
    expect(report.processes).toBe(2);
    expect(report.published).toBeGreaterThan(0);
    expect(report.delivered).toBe(report.published);
    expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p50);
  });
});
