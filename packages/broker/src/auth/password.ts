import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { FirehoseError } from '@firehose/protocol';

/** scrypt cost parameters. */
export interface ScryptParams {
  /**
   * CPU/memory cost, a power of two.
   * @default 16384
   */
  N?: number;
  /**
   * Block size.
   * @default 8
   */
  r?: number;
  /**
   * Parallelisation.
   * @default 1
   */
  p?: number;
}

/** A parsed `scrypt$N$r$p$salt$hash` string. */
export interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

// N=2^14, r=8 is the common interactive-login choice: ~16 MiB and tens of ms per hash.
const DEFAULT_N = 16_384;
const DEFAULT_R = 8;
const DEFAULT_P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Bounds on what a config may ask for, so a hostile or mistyped hash cannot make one login
// allocate gigabytes or run for minutes.
const MAX_N = 1_048_576;
const MAX_R = 32;
const MAX_P = 16;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Hashes a password for the `accounts.<name>.password` config key:
 * `scrypt$N$r$p$<salt base64>$<hash base64>`.
 */
export async function hashPassword(plain: string, params: ScryptParams = {}): Promise<string> {
  const N = params.N ?? DEFAULT_N;
  const r = params.r ?? DEFAULT_R;
  const p = params.p ?? DEFAULT_P;
  const problem = paramsProblem(N, r, p);
  if (problem !== undefined)
    throw new FirehoseError('INVALID_PARAMS', `Cannot hash the password: ${problem}.`);
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(plain, salt, KEY_BYTES, N, r, p);
  return formatHash({ N, r, p, salt, hash });
}

/** Formats parsed parts back into a hash string. */
function formatHash(parts: ParsedHash): string {
  return `scrypt$${parts.N}$${parts.r}$${parts.p}$${parts.salt.toString('base64')}$${parts.hash.toString('base64')}`;
}

/** Parses a hash string; returns a description of what is wrong when it is not one. */
export function parseHash(text: string): ParsedHash | string {
  const parts = text.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return 'not of the form scrypt$N$r$p$salt$hash';
  const [, nText, rText, pText, saltText, hashText] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (![nText, rText, pText].every((t) => /^\d{1,8}$/.test(t))) return 'N, r and p must be integers';
  const N = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  const problem = paramsProblem(N, r, p);
  if (problem !== undefined) return problem;
  if (!BASE64.test(saltText) || !BASE64.test(hashText)) return 'salt and hash must be base64';
  const salt = Buffer.from(saltText, 'base64');
  const hash = Buffer.from(hashText, 'base64');
  if (salt.length < 8) return 'the salt must be at least 8 bytes';
  if (hash.length < 16 || hash.length > 128) return 'the hash must be 16–128 bytes';
  return { N, r, p, salt, hash };
}

/**
 * Whether `plain` is the password `hash` was made from. The comparison is constant-time
 * (`crypto.timingSafeEqual`). Throws INVALID_CONFIG for a malformed hash (config validation
 * reports those before the broker starts).
 */
export async function verifyPassword(
  plain: string | Uint8Array,
  hash: string | ParsedHash,
): Promise<boolean> {
  const parsed = typeof hash === 'string' ? parseHash(hash) : hash;
  if (typeof parsed === 'string') {
    throw new FirehoseError(
      'INVALID_CONFIG',
      `Cannot verify a password against a malformed hash (${parsed}); make it with hashPassword().`,
    );
  }
  const actual = await scryptAsync(plain, parsed.salt, parsed.hash.length, parsed.N, parsed.r, parsed.p);
  return timingSafeEqual(actual, parsed.hash);
}

function paramsProblem(N: number, r: number, p: number): string | undefined {
  if (!Number.isInteger(N) || N < 2 || N > MAX_N || (N & (N - 1)) !== 0)
    return `N must be a power of two from 2 to ${MAX_N}`;
  if (!Number.isInteger(r) || r < 1 || r > MAX_R) return `r must be an integer from 1 to ${MAX_R}`;
  if (!Number.isInteger(p) || p < 1 || p > MAX_P) return `p must be an integer from 1 to ${MAX_P}`;
  return undefined;
}

function scryptAsync(
  plain: string | Uint8Array,
  salt: Buffer,
  keyLength: number,
  N: number,
  r: number,
  p: number,
): Promise<Buffer> {
  // Node's default maxmem (32 MiB) is too small for N=2^15+; allow what these params need.
  const maxmem = 128 * N * r * p + 128 * r * N + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(plain, salt, keyLength, { N, r, p, maxmem }, (error, key) => {
      if (error)
        reject(new FirehoseError('INVALID_CONFIG', `scrypt failed: ${error.message}.`, { cause: error }));
      else resolve(key);
    });
  });
}
