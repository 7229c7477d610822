import { createServer, type AddressInfo, type Server } from 'node:net';
import { PassThrough } from 'node:stream';
import { createBroker } from '@firehose/broker';
import { describe, expect, it } from 'vitest';
import { commands, loadEnv, runCli } from '../src/index.js';
import { gerritData, run } from './helpers.js';

/** The same entry point bin.ts calls, in-process. */
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

describe('help that is true and hints that help', () => {
  it("every example in 'schema show --help' runs and exits 0", async () => {
    const help = (await runHere(['schema', 'show', '--help'])).stdout;
    const examples = [...help.matchAll(/^ {2}\$ firehose (.+)$/gm)].map((match) => match[1]!);
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) {
      // Up to a pipe: the shell part (| jq) is not the CLI's.
      const argv = example.split('|')[0]!.trim().split(/\s+/);
      const result = await runHere(argv);
      expect(result.code, `${example}: ${result.stderr}`).toBe(0);
    }
  });

  it('lists exit code 3 only for commands that have --timeout; pub has one', async () => {
    for (const command of commands) {
      const help = (await runHere([...command.name, '--help'])).stdout;
      const hasTimeout = 'timeout' in command.options;
      expect(help.includes('3 --timeout expired'), command.name.join(' ')).toBe(hasTimeout);
    }
    expect((await runHere(['pub', '--help'])).stdout).toMatch(/--timeout DURATION/);
  });

  it("a misspelled command, subcommand or flag gets a 'did you mean'", async () => {
    const command = await runHere(['tial']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("firehose: unknown command 'tial'; did you mean 'firehose tail'?");
    const sub = await runHere(['schema', 'shwo']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain("did you mean 'firehose schema show'?");
    const flag = await runHere(['tail', '--servcie', 'gerrit']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--servcie' (did you mean --service?).");
    // Nothing close: no guess.
    expect((await runHere(['frobnicate'])).stderr).not.toContain('did you mean');
  });

  it('a ws:// URL without /mqtt fails with a hint that names the URL to use', async () => {
    const broker = await createBroker({ listeners: { mqtt: false, ws: { host: '127.0.0.1', port: 0 } } });
    await broker.listen();
    try {
      const port = broker.address('ws')!.port;
      const result = await run(['tail', '--url', `ws://127.0.0.1:${port}`, '--timeout', '10s']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`try ws://127.0.0.1:${port}/mqtt`);
      // And the hinted URL works: tail subscribes, then its --timeout expires (exit 3), no error.
      const fixed = await run(['tail', '--url', `ws://127.0.0.1:${port}/mqtt`, '--timeout', '2s']);
      expect(fixed.code, fixed.stderr).toBe(3);
      expect(fixed.stderr).toContain('subscribed to');
    } finally {
      await broker.close();
    }
  });

  it('pub --timeout exits 3 with how many were published when the broker never answers', async () => {
    // Accepts TCP and says nothing: a hung broker or a wrong port.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const result = await run(
        [
          'pub',
          '--url',
          `mqtt://127.0.0.1:${port}`,
          '--timeout',
          '1s',
          'gerrit/openstack/nova/comment-added',
          '-',
        ],
        { input: JSON.stringify(gerritData('comment-added')) },
      );
      expect(result.code).toBe(3);
      expect(result.stderr.trim()).toBe(
        'firehose pub: --timeout 1s expired after publishing 0 of 1; the rest may not have reached the broker.',
      );
    } finally {
      silent.close();
    }
  });
});
