import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// `pnpm bench --quick` as CI runs it: every scenario, every broker, tiny sizes (a minute on an idle
// 2-core machine; the generous timeout is for a loaded one). It asserts only that
// each scenario ran and QoS 1 lost nothing; speed is for the full bench's tables, never a test.

interface Row {
  unsupported?: boolean;
  failed?: string;
  loss?: number;
}
interface Report {
  brokers: string[];
  results: { key: string; rows: Record<string, Row[]> }[];
}

const SCENARIOS = [
  'fan-in-qos0-200B',
  'fan-in-qos0-2KB',
  'fan-in-qos1-200B',
  'fan-in-qos1-2KB',
  'shared-3',
  'fan-out-100',
  'fan-out-1000',
  'openstack-peak',
  'idle-10k',
  'frozen-1-of-100',
];

const dir = mkdtempSync(join(tmpdir(), 'firehose-bench-quick-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['src/run.mjs', ...args], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('pnpm bench flags', () => {
  it('answers --help with the usage, and an unknown flag with its name and the usage, exit 2', async () => {
    const help = await runBench(['--help']);
    expect(help.code).toBe(0);
    expect(help.output).toContain('--quick');
    const bogus = await runBench(['--bogus']);
    expect(bogus.code).toBe(2);
    expect(bogus.output).toContain("bench: Unknown option '--bogus'");
    expect(bogus.output).toContain('usage: pnpm bench');
    expect(bogus.output).not.toContain('    at ');
  });
});

describe('pnpm bench --quick', () => {
  it('runs every scenario on every broker and loses no QoS 1 message', { timeout: 900_000 }, async () => {
    const json = join(dir, 'quick.json');
    const { code, output } = await runBench(['--quick', '--json', json]);
    expect(code, output).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(report.brokers).toEqual(expect.arrayContaining(['firehose', 'aedes']));
    expect(report.results.map((r) => r.key)).toEqual(SCENARIOS);
    for (const result of report.results) {
      for (const broker of report.brokers) {
        const rows = result.rows[broker] ?? [];
        expect(rows.length, `${result.key} on ${broker}`).toBeGreaterThan(0);
        for (const row of rows) {
          expect(row.failed, `${result.key} on ${broker}`).toBeUndefined();
          if (row.unsupported) continue;
          if (result.key.includes('qos1') || result.key.startsWith('shared'))
            expect(row.loss, `${result.key} on ${broker}`).toBe(0);
        }
      }
    }
    // The tables are printed, with both ratios.
    expect(output).toContain('firehose ÷ plain aedes');
  });
});
