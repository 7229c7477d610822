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

let broker: TestBroker;
const FIXTURE = `${FIXTURES}gerrit-stream-events.jsonl`;

beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker.close();
});

interface Record {
  topic: string;
  event: { id: string; type: string; time: string; source: string; data: { type: string } };
}

describe('bridge gerrit and topics', () => {
  it('bridges a recorded stream-events sample into topics and envelopes, flags unknown types', async () => {
    const { readFileSync } = await import('node:fs');
    const input = readFileSync(FIXTURE, 'utf8');
    const tail = startCli(['tail', '--url', broker.url, '-n', '9', '-o', 'ndjson', 'gerrit/#']);
    const tailed = finished(tail, 20_000);
    await waitForOutput(tail.stderr, /subscribed to/);
    const bridge = await run(['bridge', 'gerrit', '--url', broker.url, '-u', 'gerrit'], {
      input,
      env: { FIREHOSE_PASSWORD: PASSWORD },
    });
    expect(bridge.code, bridge.stderr).toBe(0);
    expect(bridge.stderr).toContain(
      'firehose bridge gerrit: 9 published (1 of an unknown type, flagged), 2 invalid, 0 dropped',
    );
    const result = await tailed;
    expect(result.code, result.stderr).toBe(0);
    const records = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record);
    expect(records.map((record) => record.topic)).toEqual([
      'gerrit/openstack/nova/patchset-created',
      'gerrit/openstack/nova/comment-added',
      'gerrit/openstack/oslo/messaging/comment-added',
      'gerrit/openstack/nova/change-merged',
      'gerrit/openstack/nova/ref-updated',
      'gerrit/openstack/nova-tempest-plugin/project-created',
      'gerrit/-/dropped-output',
      'gerrit/openstack/nova/reviewer-added',
      'gerrit/openstack/nova/custom-label-applied',
    ]);
    for (const record of records) {
      expect(record.event.type).toBe(`gerrit.${record.event.data.type}`);
      expect(record.event.source).toBe('https://review.opendev.org');
    }
    // Gerrit's eventCreatedOn, not the bridge's clock, is the event time.
    expect(records[1]!.event.time).toBe('2025-11-25T12:00:00.000Z');

    // The id is derived from the event: the same line bridged again keeps its id.
    const again = await run(['bridge', 'gerrit', '--dry-run'], { input });
    const replayed = again.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record);
    expect(replayed.map((record) => record.event.id)).toEqual(records.map((record) => record.event.id));
  });

  it('topics --format json lists declared types beside observed counts and flags undeclared topics', async () => {
    type View = {
      declared: {
        type: string;
        template: string;
        version: number;
        deprecated: boolean;
        description: string;
        observed: { count: number };
      }[];
      undeclared: { topic: string; observed: { count: number } }[];
    };
    // The broker publishes its catalogue every second (catalogue.interval 1 in startBroker): ask
    // until it has counted both bridged comment-added events.
    let view: View = { declared: [], undeclared: [] };
    await expect
      .poll(
        async () => {
          const result = await run(['topics', '--url', broker.url, '--format', 'json', '--wait', '500ms']);
          expect(result.code, result.stderr).toBe(0);
          view = JSON.parse(result.stdout) as View;
          return view.declared.find((row) => row.type === 'gerrit.comment-added')?.observed.count;
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBe(2);
    const commentAdded = view.declared.find((row) => row.type === 'gerrit.comment-added');
    expect(commentAdded).toMatchObject({
      template: 'gerrit/{project+}/comment-added',
      version: 1,
      deprecated: false,
    });
    expect(commentAdded?.description).not.toBe('');
    expect(commentAdded?.observed.count).toBe(2);
    expect(view.declared.find((row) => row.type === 'gerrit.change-abandoned')?.observed.count).toBe(0);
    expect(view.undeclared).toEqual([
      expect.objectContaining({
        topic: 'gerrit/openstack/nova/custom-label-applied',
        observed: expect.objectContaining({ count: 1 }),
      }),
    ]);
  });
});
