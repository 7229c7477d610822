import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURES,
  PASSWORD,
  finished,
  run,
  startBroker,
  startCli,
  waitForOutput,
  type TestBroker,
} from './helpers.js';

const LINES = readFileSync(`${FIXTURES}gerrit-stream-events.jsonl`, 'utf8').split('\n');
const line = (n: number): string => LINES[n - 1]!;

let broker: TestBroker;
let dir: string;
let eventsLog: Server;
const eventsLogQueries: string[] = [];

/**
 * A stand-in `ssh` on PATH: the Nth run prints chunk-N.jsonl and exits 255, as ssh does when the
 * link drops; once the chunks are used up it stays connected until the bridge stops it.
 */
function writeFakeSsh(chunks: readonly string[][]): void {
  chunks.forEach((lines, index) =>
    writeFileSync(join(dir, `chunk-${index + 1}.jsonl`), `${lines.join('\n')}\n`),
  );
  writeFileSync(
    join(dir, 'ssh'),
    `#!/bin/sh
n=$(cat "${dir}/runs" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "${dir}/runs"
echo "$@" > "${dir}/args-$n"
if [ -f "${dir}/chunk-$n.jsonl" ]; then cat "${dir}/chunk-$n.jsonl"; echo "Connection to review.example closed by remote host." >&2; exit 255; fi
exec sleep 600
`,
  );
  chmodSync(join(dir, 'ssh'), 0o755);
}

beforeAll(async () => {
  broker = await startBroker();
  dir = mkdtempSync(join(tmpdir(), 'firehose-fake-ssh-'));
  // Gerrit's events-log plugin: what happened while the stream was down, behind Gerrit's XSSI guard.
  eventsLog = createServer((req, res) => {
    eventsLogQueries.push(req.url ?? '');
    if (!(req.url ?? '').startsWith('/plugins/events-log/events/')) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(`)]}'\n${[3, 4, 5, 6].map(line).join('\n')}\n`);
  });
  await new Promise<void>((resolve) => eventsLog.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await broker.close();
  await new Promise((resolve) => eventsLog.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('bridge gerrit owning the stream', () => {
  it('reconnects after each drop, replays the missed events from events-log and publishes each event once', async () => {
    // Drop 1 after lines 1-3; events-log then holds 3-6 (3 already seen); the new stream starts at 6.
    writeFakeSsh([[1, 2, 3].map(line), [6, 7, 8].map(line)]);
    const tail = startCli(['tail', '--url', broker.url, '-n', '8', '-o', 'ndjson', 'gerrit/#']);
    const tailed = finished(tail, 60_000);
    await waitForOutput(tail.stderr, /subscribed to/);
    const port = (eventsLog.address() as AddressInfo).port;
    const bridge = startCli(
      [
        'bridge',
        'gerrit',
        '--url',
        broker.url,
        '-u',
        'gerrit',
        '--ssh',
        'bot@review.example',
        '--events-log',
        `http://127.0.0.1:${port}`,
        '--backoff-max',
        '200ms',
      ],
      { FIREHOSE_PASSWORD: PASSWORD, PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}` },
    );
    let stderrSoFar = '';
    bridge.stderr.on('data', (chunk: Buffer) => (stderrSoFar += chunk.toString()));
    const outcomeSoFar = (): string => stderrSoFar;
    const bridged = finished(bridge, 60_000);
    const result = await tailed;
    expect(result.code, result.stderr).toBe(0);
    // The third run stays connected; its replay (3-6 again, all seen) must be fetched before we stop.
    await expect.poll(() => eventsLogQueries.length, { timeout: 30_000 }).toBe(2);
    await expect.poll(() => outcomeSoFar().split('4 events since').length - 1, { timeout: 30_000 }).toBe(2);
    // The bridge may fetch the replay before the third ssh has started (and counted itself).
    const runs = (): number => Number(readFileSync(join(dir, 'runs'), 'utf8'));
    await expect.poll(runs, { timeout: 30_000 }).toBe(3);
    bridge.kill('SIGTERM');
    const outcome = await bridged;
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stderr).toContain(
      'firehose bridge gerrit: 8 published, 0 invalid, 0 dropped, 3 replayed from events-log, 6 duplicates skipped',
    );
    expect(outcome.stderr).toMatch(
      /stream-events ended \(exit code 255: Connection to review.example closed by remote host.\); reconnecting in \d+ ms/,
    );
    const topics = result.stdout
      .trim()
      .split('\n')
      .map((text) => (JSON.parse(text) as { topic: string }).topic);
    expect(topics).toEqual([
      'gerrit/openstack/nova/patchset-created',
      'gerrit/openstack/nova/comment-added',
      'gerrit/openstack/oslo/messaging/comment-added',
      'gerrit/openstack/nova/change-merged',
      'gerrit/openstack/nova/ref-updated',
      'gerrit/openstack/nova-tempest-plugin/project-created',
      'gerrit/-/dropped-output',
      'gerrit/openstack/nova/reviewer-added',
    ]);
    // A replay after each drop, from one second before the newest event seen (12:01:00).
    expect(eventsLogQueries).toEqual(Array(2).fill('/plugins/events-log/events/?t1=2025-11-25T12%3A00%3A59'));
    expect(readFileSync(join(dir, 'args-1'), 'utf8')).toContain('-p 29418');
    expect(readFileSync(join(dir, 'args-1'), 'utf8').trim()).toMatch(
      /bot@review\.example gerrit stream-events$/,
    );
    expect(runs()).toBe(3);
  });

  it('refuses conflicting or incomplete stream flags with a sentence naming them', async () => {
    const both = await run(['bridge', 'gerrit', '--dry-run', '--ssh', 'bot@host', '--command', 'ssh x']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('Give --ssh or --command, not both');
    const logOnly = await run(['bridge', 'gerrit', '--dry-run', '--events-log', 'https://review.example']);
    expect(logOnly.code).toBe(2);
    expect(logOnly.stderr).toContain('--events-log needs --ssh or --command');
    const badUrl = await run([
      'bridge',
      'gerrit',
      '--dry-run',
      '--ssh',
      'bot@host',
      '--events-log',
      'review.example',
    ]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain("--events-log must be Gerrit's http(s) URL");
  });
});
