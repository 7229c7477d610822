import { hashPassword, type BrokerConfigInput, type FirehoseBroker } from '@firehose/broker';
import { gerrit } from '@firehose/schema';
import { sleep, startTestBroker, waitFor } from '@firehose/test-support';
import { afterEach, expect } from 'vitest';
import { connect, type ClientState, type ConnectOptions, type FirehoseClient } from '../src/index.js';
import { TcpProxy } from './tcp-proxy.js';

export { freePort, sleep, waitFor } from '@firehose/test-support';

/** The topic of `commentAdded()`'s default project. */
export const TOPIC = 'gerrit/openstack/nova/comment-added';

const cleanups: (() => Promise<unknown>)[] = [];
const brokers: (() => Promise<unknown>)[] = [];

/**
 * Closes every client (newest first), then every broker: a broker's close() waits for its
 * connections, so clients go first.
 */
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
  while (brokers.length > 0) await brokers.pop()!().catch(() => undefined);
});

export function onCleanup(fn: () => Promise<unknown>): void {
  cleanups.push(fn);
}

let passwordHash: Promise<string> | undefined;
/** The gerrit service account's password hash (scrypt is slow; hash once per file). */
export function gerritHash(): Promise<string> {
  passwordHash ??= hashPassword('pw');
  return passwordHash;
}

/** `startTestBroker` with the gerrit account and no interval reports, closed after the test. */
export async function startBroker(config: BrokerConfigInput = {}): Promise<FirehoseBroker> {
  const broker = await startTestBroker({
    accounts: { gerrit: { password: await gerritHash(), write: ['gerrit/#'] } },
    catalogue: { interval: 0 },
    sys: { interval: 0 },
    ...config,
  });
  brokers.push(() => broker.close());
  return broker;
}

export async function open(url: string | string[], options: ConnectOptions = {}): Promise<FirehoseClient> {
  const client = await connect(url, { backoff: { initialDelay: 50, maxDelay: 200 }, ...options });
  cleanups.push(() => client.close());
  return client;
}

/** A publisher with the gerrit service account. */
export function openPublisher(url: string, options: ConnectOptions = {}): Promise<FirehoseClient> {
  return open(url, { username: 'gerrit', password: 'pw', ...options });
}

/** A TcpProxy in front of `target` (e.g. `broker.address('mqtt')!`), closed after the test. */
export async function startProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const proxy = await TcpProxy.start(target);
  cleanups.push(() => proxy.close());
  return proxy;
}

/** Subscribes to gerrit comment-added; the array fills with the change numbers that reach the handler. */
export async function collectChanges(client: FirehoseClient): Promise<number[]> {
  const seen: number[] = [];
  await client.subscribe(gerrit.commentAdded, (e) => void seen.push(e.event.data.change.number));
  return seen;
}

/** Publishes comment-added events for changes `first`..`last` on TOPIC, one after the other. */
export async function publishChanges(publisher: FirehoseClient, first: number, last: number): Promise<void> {
  for (let change = first; change <= last; change++) await publisher.publish(TOPIC, commentAdded(change));
}

export interface RecordingSubscriber {
  client: FirehoseClient;
  states: ClientState[];
  /** Event ids and change numbers, as they reached the handler. */
  ids: string[];
  numbers: number[];
}

/** A persistent (`clean: false`), deduplicating gerrit comment-added subscriber that records what it sees. */
export async function recordingSubscriber(url: string, clientId: string): Promise<RecordingSubscriber> {
  const client = await open(url, { clientId, clean: false, dedupe: true });
  const recorded: RecordingSubscriber = { client, states: [], ids: [], numbers: [] };
  client.on('state', (state) => recorded.states.push(state));
  await client.subscribe(gerrit.commentAdded, (e) => {
    recorded.ids.push(e.event.id);
    recorded.numbers.push(e.event.data.change.number);
  });
  return recorded;
}

/** Waits for changes 1..`total`, then asserts each reached the handler once: none lost, no duplicate. */
export async function expectEveryChangeOnce(
  { ids, numbers, states }: RecordingSubscriber,
  total: number,
): Promise<void> {
  const missing = () => Array.from({ length: total }, (_, i) => i + 1).filter((n) => !numbers.includes(n));
  await waitFor(() => numbers.length >= total, 10_000, 'every message').catch((error: unknown) => {
    throw new Error(
      `${(error as Error).message}; missing changes ${missing().join(', ')}; states ${states.join(', ')}`,
    );
  });
  await sleep(200); // room for a late duplicate to show up
  expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  expect(new Set(ids).size).toBe(ids.length);
}

/** Gerrit stream-events data of a comment-added event. */
export function commentAdded(
  change = 912345,
  project = 'openstack/nova',
  extra: { branch?: string; value?: string; comment?: string } = {},
) {
  const person = (username: string) => ({ name: username, email: `${username}@example.org`, username });
  return {
    type: 'comment-added',
    eventCreatedOn: 1_764_072_000 + change,
    change: {
      project,
      branch: extra.branch ?? 'master',
      id: 'I0123456789abcdef0123456789abcdef01234567',
      number: change,
      subject: 'Fix the flux capacitor',
      owner: person('jane'),
      url: `https://review.opendev.org/c/${project}/+/${change}`,
      status: 'NEW',
    },
    patchSet: {
      number: 1,
      revision: '0123456789abcdef0123456789abcdef01234567',
      ref: `refs/changes/45/${change}/1`,
      uploader: person('jane'),
    },
    author: person('zuul'),
    approvals: [{ type: 'Verified', description: 'Verified', value: extra.value ?? '1' }],
    comment: extra.comment ?? 'Patch Set 1: Verified+1\n\nBuild succeeded.',
  };
}
