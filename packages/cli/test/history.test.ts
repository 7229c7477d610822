import { join } from 'node:path';
import { hashPassword, type FirehoseBroker } from '@firehose/broker';
import { connect, createHistoryClient } from '@firehose/client';
import { startTestBroker, waitFor, temporaryDirectory } from '@firehose/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, finished, gerritData, run, startCli, waitForOutput } from './helpers.js';

// A real broker with its SQLite archive: what `firehose history` reads over the HTTP listener.
const dir = temporaryDirectory('cli-history');
let broker: FirehoseBroker;
let http: string;
const CHANGES = 7;

/** Changes 1..7: odd ones on openstack/neutron, even ones on openstack/nova. */
const projectOf = (change: number) => (change % 2 === 0 ? 'openstack/nova' : 'openstack/neutron');

beforeAll(async () => {
  broker = await startTestBroker({
    listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } },
    accounts: { gerrit: { password: await hashPassword(PASSWORD), write: ['gerrit/#'] } },
    history: { enabled: true, path: join(dir, 'archive.sqlite') },
    catalogue: { interval: 0 },
    sys: { interval: 0 },
  });
  http = broker.url('http')!;
  const publisher = await connect(broker.url('mqtt')!, { username: 'gerrit', password: PASSWORD });
  for (let change = 1; change <= CHANGES; change++) {
    const data = gerritData('comment-added') as { change: Record<string, unknown>; eventCreatedOn: number };
    data.change.project = projectOf(change);
    data.change.number = change;
    data.eventCreatedOn += change;
    await publisher.publish(`gerrit/${projectOf(change)}/comment-added`, data);
  }
  await publisher.close();
  const reader = createHistoryClient(http);
  await waitFor(async () => (await reader.search('#')).events.length === CHANGES);
}, 60_000);

afterAll(async () => {
  await broker?.close();
});

interface Line {
  topic: string;
  cursor: string;
  event: { data: { change: { number: number } } };
}
const changes = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as Line).event.data.change.number);
const nextCursor = (stderr: string) => /more: --cursor ([0-9a-f]+)/.exec(stderr)?.[1];

describe.concurrent('firehose history against a real archive', () => {
  it('pages newest first with --limit, printing the next cursor on stderr until no more', async () => {
    const first = await run(['history', '--history-url', http, '-o', 'ndjson', '--limit', '3']);
    expect(first.code, first.stderr).toBe(0);
    expect(changes(first.stdout)).toEqual([7, 6, 5]);
    const records = first.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Line);
    expect(records.every((record) => /^[0-9a-f]{16}$/.test(record.cursor))).toBe(true);
    const cursor = nextCursor(first.stderr);
    expect(first.stderr).toBe(`firehose history: 3 events; more: --cursor ${cursor}\n`);
    // The cursor printed is the last line's: the next page starts right after it.
    expect(cursor).toBe(records[2]!.cursor);
    const second = await run([
      'history',
      '--history-url',
      http,
      '-o',
      'ndjson',
      '-n',
      '3',
      '--cursor',
      cursor!,
    ]);
    expect(changes(second.stdout)).toEqual([4, 3, 2]);
    const third = await run([
      'history',
      '--history-url',
      http,
      '-o',
      'ndjson',
      '-n',
      '3',
      '--cursor',
      nextCursor(second.stderr)!,
    ]);
    expect(changes(third.stdout)).toEqual([1]);
    expect(third.stderr).toBe('firehose history: 1 event; no more.\n');
  });

  it("takes tail's selectors and formats: --service/--project, --change, a topic filter, terse and templates", async () => {
    const nova = await run([
      'history',
      '--history-url',
      http,
      '--service',
      'gerrit',
      '--project',
      'openstack/nova',
      '--order',
      'asc',
      '-o',
      '{params.project} {data.change.number} {cursor}',
    ]);
    expect(nova.code, nova.stderr).toBe(0);
    const lines = nova.stdout.trim().split('\n');
    expect(lines.map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual([
      'openstack/nova 2',
      'openstack/nova 4',
      'openstack/nova 6',
    ]);
    expect(lines.every((line) => /^\S+ \d \w{16}$/.test(line))).toBe(true);
    const change = await run(['history', '--history-url', http, '--change', '5', '-o', 'terse']);
    expect(change.stdout.trim().split('\n')).toHaveLength(1);
    expect(change.stdout).toMatch(/^gerrit: .*openstack\/neutron #5/);
    const topic = await run(['history', '--history-url', http, 'gerrit/openstack/neutron/#', '-o', 'ndjson']);
    expect(changes(topic.stdout)).toEqual([7, 5, 3, 1]);
    const pretty = await run(['history', '--history-url', http, '-n', '1', '--color', 'never']);
    expect(pretty.stdout).toMatch(/\[gerrit\] .*#7/);
  });

  it('a value the broker refuses is one sentence naming the flag and the usage, exit 2', async () => {
    const result = await run(['history', '--history-url', http, '--since', '2h', '--until', '3h']);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^firehose history: --until: .*\bto\b/);
    expect(lines[1]).toBe('Usage: firehose history [options] [filter]');
  });

  it('a broker with history off says so, exit 1', async () => {
    const off = await startTestBroker({
      listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } },
      catalogue: { interval: 0 },
      sys: { interval: 0 },
    });
    try {
      const result = await run(['history', '--history-url', off.url('http')!]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^firehose history: History is off on this broker \(GET http:\/\/127\.0\.0\.1:\d+\/v1\/events\)/,
      );
    } finally {
      await off.close();
    }
  });
});

// After the searches above: it adds events to the shared archive.
describe('firehose tail --since against a real archive', () => {
  it('tail --since continues from the archive into live, each event once, in order', async () => {
    const child = startCli([
      'tail',
      '--history-url',
      http,
      '--since',
      '1h',
      '--count',
      String(CHANGES + 2),
      '-o',
      'ndjson',
      'gerrit/#',
    ]);
    const result = finished(child, 30_000);
    await waitForOutput(child.stderr, /then live/);
    const publisher = await connect(broker.url('mqtt')!, { username: 'gerrit', password: PASSWORD });
    for (const change of [101, 102]) {
      const data = gerritData('comment-added') as { change: Record<string, unknown>; eventCreatedOn: number };
      data.change.number = change;
      data.eventCreatedOn += change;
      await publisher.publish(`gerrit/${String(data.change.project)}/comment-added`, data);
    }
    await publisher.close();
    const { code, stdout, stderr } = await result;
    expect(code, stderr).toBe(0);
    expect(changes(stdout)).toEqual([1, 2, 3, 4, 5, 6, 7, 101, 102]);
    // Resuming from the last cursor printed finds nothing more (until something new is published).
    const last = (JSON.parse(stdout.trim().split('\n').at(-1)!) as Line).cursor;
    const resumed = await run([
      'tail',
      '--history-url',
      http,
      '--since',
      last,
      '--timeout',
      '2s',
      '-o',
      'ndjson',
    ]);
    expect(resumed.code).toBe(3);
    expect(resumed.stdout).toBe('');
  });
});
