import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve-config.js';
import type { BrokerConfig } from '../config/types.js';
import { type AuthenticatorOptions, createAuthenticator } from './authenticator.js';
import { hashPassword } from './password.js';

// Cheap cost parameters keep the suite fast; the code path is the same as with the defaults.
const cheap = (plain: string) => hashPassword(plain, { N: 1024 });

let config: BrokerConfig;

beforeAll(async () => {
  config = resolveConfig({
    listeners: {},
    accounts: {
      gerrit: { password: await cheap('gerrit-pw'), write: ['gerrit/#'] },
      // Mid-rotation: both the old and the new password work.
      zuul: { password: [await cheap('zuul-old'), await cheap('zuul-new')], write: ['zuul/#'] },
    },
    limits: { authFailuresPerMinute: 3, maxConcurrentAuth: 1, maxQueuedAuth: 2 },
  });
});

function setup(overrides: Partial<AuthenticatorOptions> = {}) {
  const calls: ('account' | 'dummy')[] = [];
  const clock = { now: 1_000_000 };
  const auth = createAuthenticator({
    accounts: config.accounts,
    limits: config.limits,
    now: () => clock.now,
    onVerify: (kind) => calls.push(kind),
    ...overrides,
  });
  return { auth, calls, clock };
}

const at = (ip: string, username?: string, password?: string, clientId = 'c1') => ({
  ip,
  username,
  password,
  clientId,
});

describe('createAuthenticator', () => {
  it('accepts anonymous clients without hashing anything', async () => {
    const { auth, calls } = setup();
    expect(await auth.authenticate(at('10.0.0.1'))).toEqual({ ok: true });
    expect(calls).toEqual([]);
  });

  it('accepts the right password (string or Buffer) and returns the account', async () => {
    const { auth } = setup();
    const result = await auth.authenticate(at('10.0.0.1', 'gerrit', 'gerrit-pw', 'gerrit-1'));
    expect(result).toMatchObject({ ok: true, account: { name: 'gerrit' } });
    const buffer = await auth.authenticate({
      ip: '10.0.0.1',
      username: 'gerrit',
      password: Buffer.from('gerrit-pw'),
      clientId: 'x',
    });
    expect(buffer.ok).toBe(true);
  });

  it('refuses a wrong password and a password without a username', async () => {
    const { auth } = setup();
    expect(await auth.authenticate(at('10.0.0.1', 'gerrit', 'nope'))).toEqual({
      ok: false,
      reason: 'bad-credentials',
    });
    expect(await auth.authenticate({ ip: '10.0.0.1', password: 'x', clientId: 'c' })).toEqual({
      ok: false,
      reason: 'bad-credentials',
    });
  });

  it('accepts every hash of an account during rotation', async () => {
    const { auth } = setup();
    expect((await auth.authenticate(at('10.0.0.1', 'zuul', 'zuul-old'))).ok).toBe(true);
    expect((await auth.authenticate(at('10.0.0.1', 'zuul', 'zuul-new'))).ok).toBe(true);
    expect((await auth.authenticate(at('10.0.0.1', 'zuul', 'gerrit-pw'))).ok).toBe(false);
  });

  it('runs the same number of scrypt verifications for unknown users, known users and rotated accounts', async () => {
    const { auth, calls } = setup();
    const counts: number[] = [];
    for (const [user, password] of [
      ['nobody', 'x'],
      ['gerrit', 'wrong'],
      ['gerrit', 'gerrit-pw'],
      ['zuul', 'wrong'],
      ['zuul', 'zuul-new'],
      ['__proto__', 'x'],
    ] as const) {
      const before = calls.length;
      await auth.authenticate(at(`10.1.0.${counts.length}`, user, password));
      counts.push(calls.length - before);
    }
    // The most hashes any account has (zuul: 2), for everyone.
    expect(counts).toEqual([2, 2, 2, 2, 2, 2]);
    // An unknown user is verified against dummies only.
    expect(calls.slice(0, 2)).toEqual(['dummy', 'dummy']);
    expect(calls.slice(2, 4)).toEqual(['account', 'dummy']);
  });

  it('after N failures from one IP refuses without hashing, until the minute has passed', async () => {
    const { auth, calls, clock } = setup();
    for (let i = 0; i < 3; i++) {
      expect(await auth.authenticate(at('10.0.0.9', 'gerrit', `guess-${i}`))).toEqual({
        ok: false,
        reason: 'bad-credentials',
      });
    }
    const hashed = calls.length;
    expect(hashed).toBe(6);
    for (let i = 0; i < 5; i++) {
      // Even the right password: the address is locked out, and nothing is hashed.
      expect(await auth.authenticate(at('10.0.0.9', 'gerrit', 'gerrit-pw'))).toEqual({
        ok: false,
        reason: 'rate-limited',
      });
    }
    expect(calls.length).toBe(hashed);
    expect(auth.stats()).toMatchObject({ rateLimited: 5, failures: 3, verifications: 6 });
    // Other addresses are unaffected.
    expect((await auth.authenticate(at('10.0.0.10', 'gerrit', 'gerrit-pw'))).ok).toBe(true);
    clock.now += 60_000;
    expect((await auth.authenticate(at('10.0.0.9', 'gerrit', 'gerrit-pw'))).ok).toBe(true);
  });

  it('parallel guesses from one address stop hashing once the limit is hit', async () => {
    const { auth, calls } = setup({ limits: { ...config.limits, maxQueuedAuth: 20 } });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => auth.authenticate(at('10.6.0.1', 'gerrit', `guess-${i}`))),
    );
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
      ...Array<string>(3).fill('bad-credentials'),
      ...Array<string>(7).fill('rate-limited'),
    ]);
    // Three failed logins' worth of hashing (two rounds each), not ten.
    expect(calls).toHaveLength(6);
  });

  it('caps concurrent verifications: one runs, two wait, the rest are refused as busy', async () => {
    const { auth } = setup();
    let peak = 0;
    const watcher = setInterval(() => (peak = Math.max(peak, auth.stats().active)), 0);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => auth.authenticate(at(`10.2.0.${i}`, 'gerrit', 'gerrit-pw'))),
    );
    clearInterval(watcher);
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(['ok', 'ok', 'ok', 'busy', 'busy', 'busy']);
    expect(peak).toBeLessThanOrEqual(1);
    expect(auth.stats()).toMatchObject({ busy: 3, active: 0, queued: 0 });
  });

  it("refuses another user's reserved client id, and counts it as a failure", async () => {
    const { auth, calls } = setup();
    expect(await auth.authenticate(at('10.3.0.1', undefined, undefined, 'gerrit'))).toEqual({
      ok: false,
      reason: 'client-id-reserved',
    });
    expect(await auth.authenticate(at('10.3.0.1', 'zuul', 'zuul-new', 'gerrit-publisher'))).toEqual({
      ok: false,
      reason: 'client-id-reserved',
    });
    expect((await auth.authenticate(at('10.3.0.1', 'gerrit', 'gerrit-pw', 'gerrit-publisher'))).ok).toBe(
      true,
    );
    expect(auth.stats().failures).toBe(2);
    // The anonymous attempt cost no hashing.
    expect(calls.length).toBe(4);
  });

  it('logs hitting the limit once at warn, never at info', async () => {
    const lines: string[] = [];
    const logger = { debug: () => lines.push('debug'), warn: () => lines.push('warn') };
    const { auth } = setup({ logger });
    for (let i = 0; i < 3; i++) await auth.authenticate(at('10.4.0.1', 'nobody', 'x'));
    expect(lines.filter((l) => l === 'warn')).toHaveLength(1);
  });

  it('update() swaps accounts but keeps per-IP failure counts (a reload forgives nobody)', async () => {
    const { auth } = setup();
    for (let i = 0; i < 3; i++) await auth.authenticate(at('10.5.0.1', 'gerrit', 'wrong'));
    const next = resolveConfig({
      listeners: {},
      accounts: { launchpad: { password: await cheap('lp-pw') } },
      limits: config.limits,
    });
    auth.update({ accounts: next.accounts, limits: next.limits });
    expect(await auth.authenticate(at('10.5.0.1', 'launchpad', 'lp-pw'))).toEqual({
      ok: false,
      reason: 'rate-limited',
    });
    expect((await auth.authenticate(at('10.5.0.2', 'launchpad', 'lp-pw'))).ok).toBe(true);
    expect(await auth.authenticate(at('10.5.0.2', 'gerrit', 'gerrit-pw'))).toEqual({
      ok: false,
      reason: 'bad-credentials',
    });
    // A higher limit on reload applies to the same counters.
    auth.update({ accounts: next.accounts, limits: { ...next.limits, authFailuresPerMinute: 10 } });
    expect((await auth.authenticate(at('10.5.0.1', 'launchpad', 'lp-pw'))).ok).toBe(true);
  });
});
