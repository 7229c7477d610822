import { isFirehoseError } from '@firehose/protocol';
import { describe, expect, it } from 'vitest';
import { hashPassword, parseHash, verifyPassword } from './password.js';

describe('hashPassword / verifyPassword', () => {
  it('produces scrypt$N$r$p$salt$hash and verifies the right password only', async () => {
    const hash = await hashPassword('s3cret');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(await verifyPassword('s3cret', hash)).toBe(true);
    expect(await verifyPassword('s3cret ', hash)).toBe(false);
    expect(await verifyPassword(Buffer.from('s3cret'), hash)).toBe(true);
  });

  it('salts: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPassword('pw', { N: 1024 }), hashPassword('pw', { N: 1024 })]);
    expect(a).not.toBe(b);
    expect(a.startsWith('scrypt$1024$8$1$')).toBe(true);
  });

  it('rejects malformed hashes with a sentence, and absurd cost parameters', async () => {
    expect(parseHash('hunter2')).toBe('not of the form scrypt$N$r$p$salt$hash');
    expect(parseHash('scrypt$1000$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==')).toMatch(/power of two/);
    expect(parseHash('scrypt$4194304$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==')).toMatch(/power of two/);
    expect(parseHash('scrypt$1024$8$1$!!$aGFzaGhhc2hoYXNoaGFzaA==')).toBe('salt and hash must be base64');
    const error: unknown = await verifyPassword('x', 'plain').catch((e: unknown) => e);
    expect(isFirehoseError(error, 'INVALID_CONFIG')).toBe(true);
    await expect(hashPassword('x', { N: 3 })).rejects.toThrow(/power of two/);
  });
});
