import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANSI,
  PASSWORD,
  finished,
  gerritData,
  run,
  startBroker,
  startCli,
  waitForOutput,
  type RunResult,
  type TestBroker,
} from './helpers.js';

let broker: TestBroker;
const TOPIC = 'gerrit/openstack/nova/comment-added';
const topicOf = (project: string): string => `gerrit/${project}/comment-added`;
const pubEnv = { FIREHOSE_PASSWORD: PASSWORD };

beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker.close();
});

/** Starts `tail` with the given args, waits until it has subscribed, runs `action`, then collects. */
async function tailAround(
  args: string[],
  action: () => Promise<unknown>,
  env: Record<string, string> = {},
): Promise<RunResult> {
  const child = startCli(['tail', '--url', broker.url, ...args], env);
  const result = finished(child, 20_000);
  await waitForOutput(child.stderr, /subscribed to/);
  await action();
  return result;
}

/**
 * Three distinct comment-added events in `project` as NDJSON (service data, one per line). Each test
 * uses its own project, so the tests run concurrently without seeing each other's events.
 */
function threeComments(project: string, branch = 'master'): string {
  return [1, 2, 3]
    .map((n) => {
      const data = gerritData('comment-added') as { change: Record<string, unknown>; eventCreatedOn: number };
      data.change.project = project;
      data.change.number = 700_000 + n;
      data.change.branch = n === 2 ? 'stable/2024.1' : branch;
      data.eventCreatedOn += n;
      return JSON.stringify(data);
    })
    .join('\n');
}

/** Publishes NDJSON lines as the gerrit account; fails the test if pub does. */
async function pub(project: string, input: string): Promise<RunResult> {
  const result = await run(['pub', '--url', broker.url, '-u', 'gerrit', topicOf(project), '-'], {
    input,
    env: pubEnv,
  });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

describe.concurrent('tail + pub against a real broker', () => {
  it('tail --count 3 --format ndjson receives three events from pub, all three lines through a pipe', async () => {
    const project = 'count/nova';
    const result = await tailAround(
      ['--count', '3', '--format', 'ndjson', `gerrit/${project}/#`],
      async () => {
        const published = await pub(project, threeComments(project));
        expect(published.stdout.trim().split('\n')).toHaveLength(3);
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    const records = lines.map(
      (line) =>
        JSON.parse(line) as {
          topic: string;
          received_at: string;
          event: { type: string; data: { change: { number: number } } };
        },
    );
    expect(records.map((record) => record.event.data.change.number)).toEqual([700_001, 700_002, 700_003]);
    for (const record of records) {
      expect(record.topic).toBe(topicOf(project));
      expect(record.event.type).toBe('gerrit.comment-added');
      expect(new Date(record.received_at).toISOString()).toBe(record.received_at);
    }
    expect(result.stdout).not.toMatch(ANSI);
  });

  it('--group splits the stream between two tails: each event printed by exactly one', async () => {
    const project = 'group/nova';
    const tails = [1, 2].map(() =>
      startCli([
        'tail',
        '--url',
        broker.url,
        '--group',
        'cli-workers',
        '-o',
        'ndjson',
        `gerrit/${project}/#`,
      ]),
    );
    const results = tails.map((child) => finished(child, 60_000));
    await Promise.all(
      tails.map((child) =>
        waitForOutput(child.stderr, /subscribed to gerrit\/group\/nova\/# in group cli-workers/, 45_000),
      ),
    );
    const lines = tails.map((child) => waitForOutput(child.stdout, /(\{[^\n]*\}\n){2}/, 45_000));
    const four = [1, 2, 3, 4].map((n) => {
      const data = gerritData('comment-added') as { change: Record<string, unknown>; eventCreatedOn: number };
      data.change.project = project;
      data.change.number = 710_000 + n;
      data.eventCreatedOn += n;
      return JSON.stringify(data);
    });
    await pub(project, four.join('\n'));
    const split = (await Promise.all(lines)).map((text) =>
      text
        .trim()
        .split('\n')
        .map(
          (line) =>
            (JSON.parse(line) as { event: { data: { change: { number: number } } } }).event.data.change
              .number,
        ),
    );
    for (const child of tails) child.kill('SIGINT');
    for (const result of await Promise.all(results)) expect(result.code).toBe(0);
    expect(split.map((numbers) => numbers.length)).toEqual([2, 2]);
    expect(split.flat().sort()).toEqual([710_001, 710_002, 710_003, 710_004]);
  }, 90_000);

  it('--group refuses a name with / + or # (exit 2) before connecting', async () => {
    const result = await run(['tail', '--url', broker.url, '--group', 'a/b'], { timeoutMs: 60_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'a group name is non-empty and has no /, + or #; e.g. --group log-workers.',
    );
  }, 90_000);

  it('flushes each ndjson record to the pipe as it arrives, not at exit', async () => {
    const project = 'flush/nova';
    // No --count: tail keeps running, so the line can only arrive through a per-record write.
    const child = startCli(['tail', '--url', broker.url, '-o', 'ndjson', `gerrit/${project}/#`]);
    const result = finished(child, 20_000);
    await waitForOutput(child.stderr, /subscribed to/);
    const line = waitForOutput(child.stdout, /\{[^\n]*\}\n/);
    await pub(project, threeComments(project).split('\n')[0]!);
    const record = JSON.parse(await line) as { topic: string };
    expect(record.topic).toBe(topicOf(project));
    expect(child.exitCode).toBeNull();
    child.kill('SIGINT');
    expect((await result).code).toBe(0);
  });

  it('--service/--project/--event subscribe through the schema, at any project depth', async () => {
    const project = 'service/deep/nova';
    const merged = gerritData('change-merged') as { change: Record<string, unknown> };
    merged.change.project = project;
    const result = await tailAround(
      ['--service', 'gerrit', '--project', project, '--event', 'comment-added', '-n', '1', '-o', '{topic}'],
      async () => {
        // Same project, other event: must not match. Then the one that should.
        const other = await run(
          [
            'pub',
            '--url',
            broker.url,
            '-u',
            'gerrit',
            `gerrit/${project}/change-merged`,
            JSON.stringify(merged),
          ],
          { env: pubEnv },
        );
        expect(other.code, other.stderr).toBe(0);
        await pub(project, threeComments(project).split('\n')[0]!);
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`subscribed to gerrit/${project}/comment-added`);
    expect(result.stdout).toBe(`gerrit/${project}/comment-added\n`);
  });

  it('renders a --format template with topic, service, RFC 3339 time and payload paths', async () => {
    const project = 'template/nova';
    const format = '{service}|{time}|{data.change.number}|{params.project}|{topic}|{{x}}';
    const result = await tailAround(['-n', '1', '-o', format, `gerrit/${project}/#`], () =>
      pub(project, threeComments(project).split('\n')[0]!),
    );
    expect(result.code, result.stderr).toBe(0);
    const [service, time, number, param, topic, literal] = result.stdout.trim().split('|');
    expect(service).toBe('gerrit');
    expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(number).toBe('700001');
    expect(param).toBe(project);
    expect(topic).toBe(topicOf(project));
    expect(literal).toBe('{x}');
  });

  it('colours only when asked and never with NO_COLOR; terse prints one sentence', async () => {
    const project = 'colour/nova';
    const filter = `gerrit/${project}/#`;
    const tails = [
      startCli(['tail', '--url', broker.url, '-n', '1', '-o', 'terse', filter]),
      startCli(['tail', '--url', broker.url, '-n', '1', '-o', 'terse', '--color', 'always', filter]),
      startCli(['tail', '--url', broker.url, '-n', '1', '-o', 'pretty', '--color', 'always', filter], {
        NO_COLOR: '1',
      }),
    ];
    const results = Promise.all(tails.map((child) => finished(child, 20_000)));
    await Promise.all(tails.map((child) => waitForOutput(child.stderr, /subscribed to/)));
    await pub(project, threeComments(project).split('\n')[0]!);
    const [plain, forced, noColor] = await results;
    // A pipe is not a terminal: no colour by default.
    expect(plain!.stdout).not.toMatch(ANSI);
    expect(plain!.stdout.trim()).toMatch(
      /^gerrit: .+ voted Code-Review\+2 on colour\/nova #700001 "Fix race in scheduler"/,
    );
    expect(forced!.stdout).toMatch(ANSI);
    expect(noColor!.code).toBe(0);
    expect(noColor!.stdout).not.toMatch(ANSI);
    expect(noColor!.stdout).toContain('[gerrit]');
  });

  it('--where filters with the SDK grammar', async () => {
    const project = 'where/nova';
    const result = await tailAround(
      [
        '-n',
        '2',
        '-o',
        '{data.change.number} {data.change.branch}',
        '--where',
        'data.change.branch = master',
        `gerrit/${project}/#`,
      ],
      () => pub(project, threeComments(project)),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['700001 master', '700003 master']);
  });

  it('exits 3 when --timeout expires before --count', async () => {
    const result = await run([
      'tail',
      '--url',
      broker.url,
      '--count',
      '1',
      '--timeout',
      '500ms',
      'nothing/here/#',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('--timeout 500ms expired after 0 of 1 events');
  });

  it('exits 1 with a clear message when the broker is unreachable', async () => {
    const result = await run(['tail', '--url', 'mqtt://127.0.0.1:9', '--count', '1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^firehose tail: .*mqtt:\/\/127\.0\.0\.1:9/);
  });

  it('pub rejects a bad payload with its JSON path and publishes nothing', async () => {
    const project = 'invalid/nova';
    const good = threeComments(project).split('\n');
    const bad = JSON.parse(good[1]!) as { change: Record<string, unknown> };
    bad.change.number = 'not a number';
    const input = [good[0], JSON.stringify(bad), good[2]].join('\n');
    const result = await tailAround(
      ['--count', '1', '--timeout', '1500ms', '-o', 'ndjson', `gerrit/${project}/#`],
      async () => {
        const published = await run(['pub', '--url', broker.url, '-u', 'gerrit', topicOf(project), '-'], {
          input,
          env: pubEnv,
        });
        expect(published.code).toBe(1);
        expect(published.stderr).toContain('stdin line 2');
        expect(published.stderr).toContain('/change/number');
        expect(published.stderr).toContain('nothing was published');
      },
    );
    // Line 1 was valid, yet nothing reached the subscriber.
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
  });

  it('pub builds the topic from --service/--event/--project', async () => {
    const data = gerritData('comment-added');
    const result = await run([
      'pub',
      '--dry-run',
      '-s',
      'gerrit',
      '-e',
      'comment-added',
      '-p',
      'openstack/nova',
      JSON.stringify(data),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const record = JSON.parse(result.stdout) as {
      topic: string;
      event: { dataschema: string; subject: string };
    };
    expect(record.topic).toBe(TOPIC);
    expect(record.event.dataschema).toBe('urn:firehose:schema:gerrit.comment-added:1');
    expect(record.event.subject).toBe('openstack/nova/change/912345');
  });
});
