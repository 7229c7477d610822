import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha1 } from './sha1.js';

describe('sha1', () => {
  it('agrees with node:crypto on any input, across block boundaries', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const expected = createHash('sha1').update(bytes).digest('hex');
        return Buffer.from(sha1(bytes)).toString('hex') === expected;
      }),
    );
    expect(Buffer.from(sha1(new Uint8Array(55))).toString('hex')).toBe(
      createHash('sha1').update(new Uint8Array(55)).digest('hex'),
    );
  });
});
