import { createBroker, hashPassword, type FirehoseBroker } from '@firehose/broker';
import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD, finished, gerritData, run, startCli, waitForOutput } from './helpers.js';

// A broker that can be stopped and started again on the same port, as an operator restarting it.
const brokers: FirehoseBroker[] = [];
async function brokerOn(port: number): Promise<FirehoseBroker> {
  const broker = await createBroker({
    listeners: { mqtt: { host: '127.0.0.1', port } },
    accounts: { gerrit: { password: await hashPassword(PASSWORD), write: ['gerrit/#'] } },
  });
  await broker.listen();
  brokers.push(broker);
  return broker;
}

afterEach(async () => {
  await Promise.allSettled(brokers.splice(0).map((broker) => broker.close()));
});

const TOPIC = 'gerrit/openstack/nova/comment-added';

/** What the child has written on stderr so far, read at any time. */
function stderrText(child: { stderr: NodeJS.ReadableStream }): () => string {
  let text = '';
  child.stderr.on('data', (chunk: Buffer | string) => (text += chunk.toString()));
  return () => text;
}

describe('tail when the broker goes away', () => {
  it('says it lost the stream, reports each attempt, and says when it is back and for how long', async () => {
    const first = await brokerOn(0);
    const port = first.address('mqtt')!.port;
    const url = `mqtt://127.0.0.1:${port}`;
    const child = startCli(['tail', '--url', url, '--format', 'terse', '--count', '1', TOPIC]);
    const result = finished(child, 60_000);
    // Everything tail says, from the start: a line may come before (or in one chunk with) the one
    // the test waits for, e.g. "lost" while the broker's close() is still resolving.
    const said = stderrText(child);
    await waitForOutput(child.stderr, /subscribed to/);
    await first.close();
    await expect
      .poll(() => said(), { timeout: 15_000 })
      .toMatch(
        /lost the connection to mqtt:\/\/127\.0\.0\.1:\d+ at \d\d:\d\d:\d\d UTC; events published until it is back are missed/,
      );
    await expect
      .poll(() => said(), { timeout: 20_000 })
      .toMatch(/reconnecting to mqtt:\/\/127\.0\.0\.1:\d+: attempt 2, next try in \d+\.\d s, gone \d+\.\d s/);
    await brokerOn(port);
    await expect
      .poll(() => said(), { timeout: 20_000 })
      .toMatch(
        /back on mqtt:\/\/127\.0\.0\.1:\d+ after \d+\.\d s; events published in that time were missed\./,
      );
    // And the stream really is back: an event published now is printed.
    const published = await run(['pub', '--url', url, '-u', 'gerrit', TOPIC, '-'], {
      input: JSON.stringify(gerritData('comment-added')),
      env: { FIREHOSE_PASSWORD: PASSWORD },
    });
    expect(published.code, published.stderr).toBe(0);
    const { code, stdout, stderr } = await result;
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^gerrit: /);
  }, 90_000);

  it('--exit-on-disconnect exits 1 with a sentence as soon as the connection drops', async () => {
    const broker = await brokerOn(0);
    const url = broker.url('mqtt')!;
    const child = startCli(['tail', '--url', url, '--exit-on-disconnect', TOPIC]);
    const result = finished(child, 30_000);
    await waitForOutput(child.stderr, /subscribed to/);
    await broker.close();
    const { code, stderr } = await result;
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /firehose tail: lost the connection to mqtt:\/\/127\.0\.0\.1:\d+ after 0 events; exiting \(--exit-on-disconnect\)\./,
    );
    expect(stderr).not.toMatch(/attempt/);
  });

  it('--quiet keeps the lost and back lines but not the attempts', async () => {
    const first = await brokerOn(0);
    const port = first.address('mqtt')!.port;
    const url = `mqtt://127.0.0.1:${port}`;
    const child = startCli(['tail', '--url', url, '--quiet', TOPIC]);
    const result = finished(child, 60_000);
    // No "subscribed to" line under --quiet: wait until the broker holds the subscription. Connected
    // is too early: tail first waits (up to 3 s) for the services record, and watches the
    // connection only from its subscribe on, so a close in that window says nothing.
    await expect.poll(() => first.stats.subscriptions, { timeout: 15_000 }).toBeGreaterThan(0);
    const said = stderrText(child);
    await first.close();
    await expect.poll(() => said(), { timeout: 15_000 }).toMatch(/lost the connection/);
    await brokerOn(port);
    await expect.poll(() => said(), { timeout: 20_000 }).toMatch(/back on/);
    child.kill('SIGTERM');
    const { stderr } = await result;
    expect(stderr).not.toMatch(/attempt/);
  }, 90_000);
});
