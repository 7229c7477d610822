import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@firehose/test-support';
import { loadEnv, runCli } from '../src/index.js';
import { run } from './helpers.js';

/** In-process, as bin.ts calls it: these cases never reach the network. */
async function runHere(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runCli(argv, loadEnv(env), {
    stdin: new PassThrough(),
    stdout,
    stderr,
    signal: new AbortController().signal,
  });
  return { code, stdout: out, stderr: err };
}

describe('firehose history and tail --since: the command line', () => {
  it('explains itself in --help: pages, cursors, what the broker evaluates', async () => {
    const help = await runHere(['history', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n')[2]).toBe('Examples:');
    expect(help.stdout).toContain('--cursor CURSOR');
    expect(help.stdout).toContain("'more: --cursor C'");
    expect(help.stdout).toContain('{cursor}');
    const tail = await runHere(['tail', '--help']);
    expect(tail.stdout).toContain('--since TIME|CURSOR');
    expect(tail.stdout).toContain('then live events');
  });

  it.each([
    [['history', '--bogus'], "unknown option '--bogus'."],
    [['history', '--limit', '0'], "--limit must be a whole number ≥ 1; got '0'."],
    [['history', '--order', 'up'], "--order must be one of desc, asc; got 'up'."],
    [['history', '--since', 'yesterday'], '--since must be a time: a duration back from now like 2h'],
    [['history', '--until', '2026-13-45T99:00:00Z'], '--until must be a time'],
    [['history', '--cursor', ''], "--cursor needs the cursor a previous 'firehose history' printed."],
    [['history', 'gerrit/#', 'zuul/#'], 'the archive is read by one topic filter; got 2 (gerrit/# zuul/#)'],
    [
      ['history', 'zuul/#', '--service', 'gerrit'],
      'the archive is read by a topic filter or by --service, not both',
    ],
    [['history', '--service', 'nope'], "no service 'nope' among the built-in services (gerrit, launchpad"],
    [['history', '--where', 'data.change.branch ='], '--where:'],
    [['history', '-o', '{nope}'], "unknown field '{nope}'"],
    [['history', '--history-url', 'ftp://x'], "--history-url 'ftp://x' is not an http:// or https:// URL"],
    [
      ['tail', '--since', '2h', '--group', 'g'],
      "--since reads the broker's archive over HTTP, which has no --group",
    ],
    [['tail', '--since', '2h', '--sys'], 'which has no --sys'],
    [['tail', '--since', '2026-02-31Tnope'], "--since '2026-02-31Tnope' is not a valid ISO 8601 time"],
  ])('%j: one sentence and the usage, exit 2', async (argv, sentence) => {
    const result = await runHere(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain(sentence);
    expect(lines[1]).toMatch(/^Usage: firehose (history|tail) /);
  });

  it('rejects a FIREHOSE_HISTORY_URL that is not http(s), naming the variable', async () => {
    const result = await runHere(['history'], { FIREHOSE_HISTORY_URL: 'mqtt://localhost:1883' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "FIREHOSE_HISTORY_URL 'mqtt://localhost:1883' is not an http:// or https:// URL",
    );
  });
});

describe('firehose history: an address that is not a history API', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // What answers when --history-url points at the wrong service (or a broker without history).
    server = createServer((_req, res) =>
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not here.\n'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('says there is no history API there, exit 1', async () => {
    const history = await run(['history', '--history-url', url]);
    expect(history.code).toBe(1);
    expect(history.stdout).toBe('');
    expect(history.stderr).toBe(
      `firehose history: GET ${url}/v1/events answered 404 without a firehose error: no history API there; is that the broker's HTTP listener (the one serving /metrics), and does the broker have history?\n`,
    );
    const tail = await run(['tail', '--since', '2h', '--history-url', url]);
    expect(tail.code).toBe(1);
    expect(tail.stderr).toContain(
      `firehose tail: GET ${url}/v1/stream answered 404 without a firehose error`,
    );
  });

  it('says which address could not be reached, exit 1', async () => {
    const port = await freePort();
    const result = await run([
      'history',
      '--url',
      `mqtt://127.0.0.1:1883`,
      '--history-url',
      `http://127.0.0.1:${port}`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `firehose history: Could not reach the history API at http://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
  });
});
