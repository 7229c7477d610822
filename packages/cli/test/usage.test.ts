import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { loadEnv, runCli } from '../src/index.js';
import { run } from './helpers.js';

/** The same entry point bin.ts calls, in-process: help text needs no child process per command. */
async function runHere(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runCli(argv, loadEnv({}), {
    stdin: new PassThrough(),
    stdout,
    stderr,
    signal: new AbortController().signal,
  });
  return { code, stdout: out, stderr: err };
}

describe('command line usage', () => {
  it('exits 2 with one clear line and the usage on an unknown flag', async () => {
    const result = await run(['tail', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe("firehose tail: unknown option '--bogus'.");
    expect(lines[1]).toBe('Usage: firehose tail [options] [filter…]');
  });

  it('exits 2 on a missing argument and on a malformed value', async () => {
    const missing = await runHere(['schema', 'show']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Usage: firehose schema show');
    const malformed = await runHere(['tail', '--count', 'many']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("--count must be a whole number ≥ 1; got 'many'.");
    const unknown = await runHere(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });

  it('rejects a bad --format template or --where predicate before connecting (exit 2)', async () => {
    const template = await runHere(['tail', '-o', '{time} {nope}']);
    expect(template.code).toBe(2);
    expect(template.stderr).toContain("unknown field '{nope}'");
    const where = await runHere(['tail', '--where', 'data.change.branch =']);
    expect(where.code).toBe(2);
    expect(where.stderr).toContain('--where');
    const bare = await runHere([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('Commands:');
  });

  it('rejects a bad FIREHOSE_URL before doing anything', async () => {
    const result = await run(['tail'], { env: { FIREHOSE_URL: 'http://example.org' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('FIREHOSE_URL');
  });

  it('leads every --help with examples and lists the exit codes', async () => {
    const commands = [
      ['tail'],
      ['history'],
      ['pub'],
      ['broker'],
      ['bridge', 'gerrit'],
      ['topics'],
      ['schema', 'show'],
      ['schema', 'export'],
      ['passwd'],
      ['bench'],
    ];
    const results = await Promise.all(commands.map((command) => runHere([...command, '--help'])));
    results.forEach((result, index) => {
      const label = commands[index]!.join(' ');
      expect(result.code, label).toBe(0);
      expect(result.stdout.split('\n')[2], label).toBe('Examples:');
      expect(result.stdout, label).toContain('Exit codes: 0 done, 1 error, 2 usage');
    });
    const tail = await runHere(['sub', '--help']);
    expect(tail.stdout).toContain('data.approvals[].value');
    expect(tail.stdout).toContain('{data.change.number}');
  });

  it('prints the version', async () => {
    const result = await run(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
