import { randomBytes } from 'node:crypto';
import type { Account, BrokerLimits } from '../config/types.js';
import { FirehoseError } from '@firehose/protocol';
import { type Acl, compileAcl } from './acl.js';
import { type ParsedHash, parseHash, verifyPassword } from './password.js';
import { createFailureLimiter } from './failure-limiter.js';

/** A pino-compatible logger; only these methods are used. */
interface AuthLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface AuthRequest {
  /** Username from CONNECT; `undefined` for an anonymous client. */
  username?: string | undefined;
  /** Password from CONNECT (aedes gives a Buffer). */
  password?: string | Uint8Array | undefined;
  clientId: string;
  /** Remote address, for the per-IP failure limit. */
  ip: string;
}

/**
 * Why a login was refused: `bad-credentials` (CONNACK 4), `client-id-reserved` (the id belongs to
 * another account; CONNACK 2 [MQTT-3.1.3-9]), `rate-limited` and `busy` (CONNACK 3, server
 * unavailable: retry later).
 */
export type AuthFailureReason = 'bad-credentials' | 'client-id-reserved' | 'rate-limited' | 'busy';

export type AuthResult = { ok: true; account?: Account } | { ok: false; reason: AuthFailureReason };

export interface AuthenticatorStats {
  /** scrypt verifications run (real and dummy). */
  verifications: number;
  /** Logins refused by the per-IP failure limit, without hashing. */
  rateLimited: number;
  /** Logins refused because the verification queue was full. */
  busy: number;
  /** Failed logins (bad credentials or reserved client id). */
  failures: number;
  /** Verifications running now. */
  active: number;
  /** Logins waiting for a verification slot now. */
  queued: number;
}

export interface AuthenticatorOptions {
  accounts: Record<string, Account>;
  limits: Pick<BrokerLimits, 'authFailuresPerMinute' | 'maxConcurrentAuth' | 'maxQueuedAuth'>;
  /** @default no-op */
  logger?: AuthLogger;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /** Called before every scrypt verification (tests count them; metrics may too). */
  onVerify?: (kind: 'account' | 'dummy') => void;
}

export interface Authenticator {
  authenticate(request: AuthRequest): Promise<AuthResult>;
  stats(): AuthenticatorStats;
  /**
   * Swaps accounts and limits (SIGHUP reload) keeping the per-IP failure counts and the
   * verification queue, so a reload neither forgives an attacker nor drops waiting logins.
   */
  update(options: Pick<AuthenticatorOptions, 'accounts' | 'limits'>): void;
}

const noopLogger: AuthLogger = { debug() {}, warn() {} };

/**
 * Checks CONNECT credentials. Order matters for cost: the per-IP failure limit is checked before
 * any hashing; verifications wait for one of `maxConcurrentAuth` slots (scrypt runs on libuv's
 * 4-thread pool, shared with LevelDB and fs); an unknown user, or a known one with fewer hashes
 * than the most any account has, is verified against dummy hashes, so every password login runs
 * the same number of scrypt verifications whether the user exists or not.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { limits } = options;
  const logger = options.logger ?? noopLogger;
  const limiter = createFailureLimiter(limits.authFailuresPerMinute, options.now ?? Date.now);
  let credentials = compileCredentials(options.accounts);
  let maxConcurrent = limits.maxConcurrentAuth;
  let maxQueued = limits.maxQueuedAuth;

  const stats: AuthenticatorStats = {
    verifications: 0,
    rateLimited: 0,
    busy: 0,
    failures: 0,
    active: 0,
    queued: 0,
  };
  const waiting: (() => void)[] = [];

  const acquire = async (): Promise<boolean> => {
    if (stats.active < maxConcurrent) {
      stats.active++;
      return true;
    }
    if (waiting.length >= maxQueued) return false;
    stats.queued++;
    await new Promise<void>((resolve) => waiting.push(resolve));
    stats.queued--;
    // The releasing verification handed its slot over; `active` was not decremented.
    return true;
  };
  const release = (): void => {
    // After a reload lowered the cap, let the surplus drain instead of handing slots over.
    const next = stats.active <= maxConcurrent ? waiting.shift() : undefined;
    if (next !== undefined) next();
    else stats.active--;
  };

  const verify = async (
    plain: string | Uint8Array,
    hash: ParsedHash,
    kind: 'account' | 'dummy',
  ): Promise<boolean> => {
    stats.verifications++;
    options.onVerify?.(kind);
    return verifyPassword(plain, hash);
  };

  const fail = (request: AuthRequest, reason: 'bad-credentials' | 'client-id-reserved'): AuthResult => {
    stats.failures++;
    if (limiter.record(request.ip)) {
      logger.warn(
        { ip: request.ip, limit: limiter.limit },
        'auth failures from this address hit the per-minute limit',
      );
    }
    logger.debug(
      { ip: request.ip, username: request.username, clientId: request.clientId, reason },
      'login refused',
    );
    return { ok: false, reason };
  };

  return {
    async authenticate(request) {
      if (limiter.limited(request.ip)) {
        stats.rateLimited++;
        return { ok: false, reason: 'rate-limited' };
      }
      // One snapshot per login, so a reload in the middle cannot mix two configs.
      const { accounts, acl, hashesOf, rounds, dummy } = credentials;
      if (request.username === undefined) {
        // A password without a username is a protocol error [MQTT-3.1.2-22].
        if (request.password !== undefined) return fail(request, 'bad-credentials');
        return acl.clientIdAllowed(request.clientId, undefined)
          ? { ok: true }
          : fail(request, 'client-id-reserved');
      }
      const account = Object.hasOwn(accounts, request.username) ? accounts[request.username] : undefined;
      const hashes = account === undefined ? [] : (hashesOf.get(account.name) ?? []);
      const password = request.password ?? '';
      if (!(await acquire())) {
        stats.busy++;
        return { ok: false, reason: 'busy' };
      }
      // Logins that queued while other attempts from the same address were failing must not
      // hash either: without this re-check, N parallel guesses would all be verified.
      if (limiter.limited(request.ip)) {
        release();
        stats.rateLimited++;
        return { ok: false, reason: 'rate-limited' };
      }
      let ok = false;
      try {
        // Every password login runs `rounds` verifications: real hashes first, then dummies.
        for (let i = 0; i < rounds; i++) {
          const hash = hashes[i];
          if (hash === undefined) await verify(password, dummy, 'dummy');
          else if (await verify(password, hash, 'account')) ok = true;
        }
      } finally {
        release();
      }
      if (!ok || account === undefined) return fail(request, 'bad-credentials');
      if (!acl.clientIdAllowed(request.clientId, account)) return fail(request, 'client-id-reserved');
      return { ok: true, account };
    },
    stats: () => ({ ...stats }),
    update(next) {
      credentials = compileCredentials(next.accounts);
      maxConcurrent = next.limits.maxConcurrentAuth;
      maxQueued = next.limits.maxQueuedAuth;
      limiter.limit = next.limits.authFailuresPerMinute;
    },
  };
}

interface Credentials {
  accounts: Record<string, Account>;
  acl: Acl;
  hashesOf: Map<string, ParsedHash[]>;
  /** Verifications per password login: the most hashes any account has. */
  rounds: number;
  dummy: ParsedHash;
}

function compileCredentials(accounts: Record<string, Account>): Credentials {
  const hashesOf = new Map<string, ParsedHash[]>();
  let rounds = 1;
  for (const account of Object.values(accounts)) {
    const hashes = account.passwords.map((text) => {
      const hash = parseHash(text);
      if (typeof hash === 'string') {
        throw new FirehoseError(
          'INVALID_CONFIG',
          `accounts.${account.name}.password is not a scrypt hash (${hash}); make one with hashPassword().`,
          {
            path: `accounts.${account.name}.password`,
          },
        );
      }
      return hash;
    });
    hashesOf.set(account.name, hashes);
    rounds = Math.max(rounds, hashes.length);
  }
  // Same cost parameters as the first account's first hash, so a dummy round costs what a real one
  // does (accounts hashed with different parameters cost differently; keep them uniform).
  const template = hashesOf.values().next().value?.[0];
  const dummy: ParsedHash = {
    N: template?.N ?? 16_384,
    r: template?.r ?? 8,
    p: template?.p ?? 1,
    salt: randomBytes(16),
    hash: randomBytes(template?.hash.length ?? 32),
  };
  const acl = compileAcl({ accounts, anonymous: { read: [], write: [], deny: [] } });
  return { accounts, acl, hashesOf, rounds, dummy };
}
