import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hashPassword, type FirehoseBroker } from '@firehose/broker';
import { startTestBroker } from '@firehose/test-support';

/** The built CLI: tests run what users run (`pnpm check` builds before testing). */
export const CLI = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const PASSWORD = 'correct horse battery staple';

if (!existsSync(CLI)) {
  throw new Error(`${CLI} is missing: build first (pnpm turbo run build --filter=@firehose/cli...).`);
}

/** A clean environment: nothing from the developer's shell (FIREHOSE_*, NO_COLOR) leaks in. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...extra };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion with stdin/stdout/stderr as pipes. */
export function run(
  args: readonly string[],
  options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunResult> {
  const child = startCli(args, options.env);
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();
  return finished(child, options.timeoutMs ?? 15_000);
}

/** Starts the CLI and leaves it running (tail, broker). */
export function startCli(
  args: readonly string[],
  env: Record<string, string> = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: 'pipe' });
}

/** Collects output until the process exits; kills it (and fails) after `timeoutMs`. */
export function finished(child: ChildProcessWithoutNullStreams, timeoutMs = 15_000): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not exit within ${timeoutMs} ms.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Resolves once `stream` has printed text matching `pattern` (e.g. tail's "subscribed to"). */
export function waitForOutput(
  stream: NodeJS.ReadableStream,
  pattern: RegExp,
  timeoutMs = 10_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`no output matching ${String(pattern)} within ${timeoutMs} ms; got: ${seen}`));
    }, timeoutMs);
    const onData = (chunk: Buffer | string): void => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match !== null) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(match[0]);
      }
    };
    stream.on('data', onData);
  });
}

export interface TestBroker {
  broker: FirehoseBroker;
  url: string;
  close(): Promise<void>;
}

/** A real broker on a free loopback port with a `gerrit` account (password `PASSWORD`). */
export async function startBroker(): Promise<TestBroker> {
  const broker = await startTestBroker({
    listeners: { mqtt: { host: '127.0.0.1', port: 0 } },
    accounts: { gerrit: { password: await hashPassword(PASSWORD), write: ['gerrit/#'] } },
    catalogue: { interval: 1 },
  });
  const url = broker.url('mqtt');
  if (url === undefined) throw new Error('broker has no mqtt listener');
  return { broker, url, close: () => broker.close() };
}

/** Service data of a schema fixture (`gerrit/comment-added`), from the recorded stream sample. */
function streamEvents(): Record<string, unknown>[] {
  return readFileSync(`${FIXTURES}gerrit-stream-events.jsonl`, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The first fixture line of a Gerrit event type. */
export function gerritData(type: string): Record<string, unknown> {
  const found = streamEvents().find((data) => data.type === type && typeof data.change === 'object');
  if (found === undefined) throw new Error(`no ${type} in the fixture`);
  return structuredClone(found);
}

// eslint-disable-next-line no-control-regex -- detecting ANSI escapes is the point
export const ANSI = /\u001b\[/;
