import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hashPassword, type FirehoseBroker } from '@firehose/broker';
import { cleanEnv, finished, startTestBroker, type ProcessResult } from '@firehose/test-support';

export { cleanEnv, finished, waitForOutput } from '@firehose/test-support';

/** The built CLI: tests run what users run (`pnpm check` builds before testing). */
export const CLI = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const PASSWORD = 'correct horse battery staple';

if (!existsSync(CLI)) {
  throw new Error(`${CLI} is missing: build first (pnpm turbo run build --filter=@firehose/cli...).`);
}

export type RunResult = ProcessResult;

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
