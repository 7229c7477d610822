import { SERVICE_COLOURS } from '@firehose/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceColour } from '../src/output/colour.js';
import {
  PASSWORD,
  finished,
  gerritData,
  run,
  startBroker,
  startCli,
  waitForOutput,
  type TestBroker,
} from './helpers.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker.close();
});

const PROJECT = 'filters/nova';
const TOPIC = `gerrit/${PROJECT}/comment-added`;

/** Three comments: change 700001 by Burst Tester, 700002 and 700003 by someone else. */
function comments(): string {
  return [1, 2, 3]
    .map((n) => {
      const data = gerritData('comment-added') as {
        change: Record<string, unknown>;
        author: Record<string, unknown>;
        eventCreatedOn: number;
      };
      data.change.project = PROJECT;
      data.change.number = 700_000 + n;
      data.author =
        n === 1
          ? { name: 'Burst Tester', username: 'burst', email: 'bt@example.org' }
          : { name: 'Ann Reviewer', username: 'ann', email: 'ann@example.org' };
      data.change.owner = data.author;
      data.eventCreatedOn += n;
      return JSON.stringify(data);
    })
    .join('\n');
}

async function tailWith(args: string[]): Promise<string[]> {
  const child = startCli(['tail', '--url', broker.url, '-o', 'ndjson', '-n', '1', ...args, TOPIC]);
  const result = finished(child, 30_000);
  await waitForOutput(child.stderr, /subscribed to/);
  const published = await run(['pub', '--url', broker.url, '-u', 'gerrit', TOPIC, '-'], {
    input: comments(),
    env: { FIREHOSE_PASSWORD: PASSWORD },
  });
  expect(published.code, published.stderr).toBe(0);
  const { code, stdout, stderr } = await result;
  expect(code, stderr).toBe(0);
  return stdout
    .trim()
    .split('\n')
    .map((line) =>
      String(
        (JSON.parse(line) as { event: { data: { change: { number: number } } } }).event.data.change.number,
      ),
    );
}

describe('tail --user and --change, matching what rows show', () => {
  it('--user matches the display name, the username or the email', async () => {
    for (const user of ['burst tester', 'burst', 'BT@example']) {
      await expect(tailWith(['--user', user]), user).resolves.toEqual(['700001']);
    }
  }, 120_000);

  it('--change matches the change number (a leading # is fine)', async () => {
    await expect(tailWith(['--change', '700002'])).resolves.toEqual(['700002']);
    await expect(tailWith(['--change', '#700003'])).resolves.toEqual(['700003']);
  }, 90_000);

  it('--change that is not a number is a usage error', async () => {
    const result = await run(['tail', '--change', 'abc']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--change must be a change number like 912345; got 'abc'.");
  });
});

describe('one palette', () => {
  it("tail's service colours are the shared palette's", () => {
    for (const [service, colour] of Object.entries(SERVICE_COLOURS))
      expect(serviceColour(service), service).toBe(colour.ansi);
  });
});
