import { createBroker, hashPassword, type BrokerConfigInput, type FirehoseBroker } from '@firehose/broker';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { connect, type ConnectOptions, type FirehoseClient } from '../src/index.js';

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

export async function startBroker(config: BrokerConfigInput = {}): Promise<FirehoseBroker> {
  const broker = await createBroker({
    listeners: { mqtt: { host: '127.0.0.1', port: 0 }, ws: { host: '127.0.0.1', port: 0 } },
    accounts: { gerrit: { password: await gerritHash(), write: ['gerrit/#'] } },
    catalogue: { interval: 0 },
    sys: { interval: 0 },
    ...config,
  });
  await broker.listen();
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

export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A port nothing listens on (bound, then released): a broker that is down, or one to start later on it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
