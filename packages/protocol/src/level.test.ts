import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLevel, encodeLevel, PLACEHOLDER_LEVEL } from './level.js';
import { isValidTopic } from './topic.js';

describe('encodeLevel / decodeLevel', () => {
  it.each([
    ['stable/2024.1', 'stable%2F2024.1'],
    ['refs/heads/a+b', 'refs%2Fheads%2Fa%2Bb'],
    ['issue#12', 'issue%2312'],
    ['100%', '100%25'],
    ['%2F', '%252F'],
    ['nul\u0000', 'nul%00'],
    ['-', '%2D'],
    ['All-Projects', 'All-Projects'],
    ['master', 'master'],
  ])('%j ⇄ %j', (value, encoded) => {
    expect(encodeLevel(value)).toBe(encoded);
    expect(decodeLevel(encoded)).toBe(value);
  });

  it('keeps the placeholder distinct from a value that is literally "-"', () => {
    expect(encodeLevel('-')).not.toBe(PLACEHOLDER_LEVEL);
  });

  it('refuses an empty value with INVALID_PARAMS', () => {
    expect(() => encodeLevel('')).toThrow(expect.objectContaining({ code: 'INVALID_PARAMS' }) as Error);
  });

  it('round-trips any string and always yields exactly one valid level', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, unit: 'binary' }).filter((s) => !/\p{Cs}/u.test(s)),
        (value) => {
          const encoded = encodeLevel(value);
          const oneLevel = !['/', '+', '#', '\u0000'].some((c) => encoded.includes(c));
          return decodeLevel(encoded) === value && oneLevel && isValidTopic(`x/${encoded}`);
        },
      ),
    );
  });
});
