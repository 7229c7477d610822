import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { systemProgram } from '@firehose/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANSI,
  CLI,
  PASSWORD,
  cleanEnv,
  finished,
  gerritData,
  run,
  startCli,
  startBroker,
  waitForOutput,
  type TestBroker,
} from './helpers.js';

// Pretty output on a real terminal: `script` gives the CLI a pseudo-terminal whose size `stty` sets.
let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker.close();
});

const PROJECT = 'openstack/width-test';
const TOPIC = `gerrit/${PROJECT}/comment-added`;

function longEvents(): string {
  return [1, 2, 3]
    .map((n) => {
      const data = gerritData('comment-added') as {
        change: Record<string, unknown>;
        eventCreatedOn: number;
        comment: string;
      };
      data.change.project = PROJECT;
      data.change.number = 800_000 + n;
      data.change.subject = `Make the scheduler retry placement claims when the allocation candidates race (${n})`;
      data.comment =
        'Patch Set 3: Code-Review+2\n\nThis looks right to me; thanks for the thorough tests. '.repeat(3);
      data.eventCreatedOn += n;
      return JSON.stringify(data);
    })
    .join('\n');
}

async function publish(): Promise<void> {
  const result = await run(['pub', '--url', broker.url, '-u', 'gerrit', TOPIC, '-'], {
    input: longEvents(),
    env: { FIREHOSE_PASSWORD: PASSWORD },
  });
  expect(result.code, result.stderr).toBe(0);
}

/** Runs `tail` on a pseudo-terminal `cols` wide (0: a terminal that reports no size). */
function tailOnTerminal(cols: number, extra: string[]): ChildProcessWithoutNullStreams {
  const command = [
    process.execPath,
    CLI,
    'tail',
    '--url',
    broker.url,
    '-n',
    '3',
    '--color',
    'never',
    ...extra,
    TOPIC,
  ]
    .map((word) => `'${word}'`)
    .join(' ');
  return spawn(
    systemProgram('script'),
    ['-qfec', `stty cols ${cols} rows 50; exec ${command}`, '/dev/null'],
    {
      env: cleanEnv({ TERM: 'dumb' }),
      stdio: 'pipe',
    },
  );
}

/** The pretty lines (not the stderr diagnostics, which share the terminal). */
function prettyLines(output: string): string[] {
  return output
    .replace(/\r/g, '')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('firehose tail:'));
}

async function tailAround(child: ChildProcessWithoutNullStreams): Promise<string[]> {
  const result = finished(child, 30_000);
  await waitForOutput(child.stdout, /subscribed to/, 15_000);
  await publish();
  const { code, stdout, stderr } = await result;
  expect(code, stderr + stdout).toBe(0);
  const lines = prettyLines(stdout);
  expect(lines).toHaveLength(6);
  return lines;
}

const width = (line: string): number => [...line].length;

describe('pretty output fits the terminal', () => {
  it('fits every line of an 80-column terminal, with an ellipsis where it cut', async () => {
    const lines = await tailAround(tailOnTerminal(80, []));
    for (const line of lines) expect(width(line), line).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d \[gerrit\] .*…$/);
    // The second line keeps the topic and says how much of the data it hides.
    expect(lines[1]).toMatch(/^ {9}gerrit\/openstack\/width-test\/comment-added {2}.*… \+\d+ bytes$/);
  });

  it('a terminal that reports no size gets 80 columns, not a summary cut to ten characters', async () => {
    const lines = await tailAround(tailOnTerminal(0, []));
    for (const line of lines) expect(width(line), line).toBeLessThanOrEqual(80);
    expect(width(lines[0]!)).toBeGreaterThan(60);
  });

  it('--wide keeps each header whole on the same terminal', async () => {
    const lines = await tailAround(tailOnTerminal(80, ['--wide']));
    expect(lines[0]).toContain(
      'Make the scheduler retry placement claims when the allocation candidates race',
    );
    expect(width(lines[0]!)).toBeGreaterThan(80);
  });

  it('a pipe is fitted to COLUMNS when set, and left whole (excerpt at --max-bytes) otherwise', async () => {
    const fitted = startCli(['tail', '--url', broker.url, '-n', '3', TOPIC], { COLUMNS: '60' });
    const whole = startCli(['tail', '--url', broker.url, '-n', '3', TOPIC]);
    const results = Promise.all([finished(fitted, 30_000), finished(whole, 30_000)]);
    await Promise.all([
      waitForOutput(fitted.stderr, /subscribed to/),
      waitForOutput(whole.stderr, /subscribed to/),
    ]);
    await publish();
    const [narrow, wide] = await results;
    expect(narrow.code, narrow.stderr).toBe(0);
    expect(narrow.stdout).not.toMatch(ANSI);
    const narrowLines = prettyLines(narrow.stdout);
    expect(narrowLines).toHaveLength(6);
    for (const line of narrowLines) expect(width(line), line).toBeLessThanOrEqual(60);
    const wideLines = prettyLines(wide.stdout);
    expect(wideLines[0]).toContain(
      'Make the scheduler retry placement claims when the allocation candidates race',
    );
    expect(wideLines[1]).toMatch(/… \+\d+ bytes$/);
  });
});
