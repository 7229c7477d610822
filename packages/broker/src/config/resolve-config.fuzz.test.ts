import { isFirehoseError } from '@firehose/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OBJECT_KEYS, OPTIONS } from './options.js';
import { resolveConfig } from './resolve-config.js';

// Real keys, so the fuzzer gets past "unknown key" and into the type checks.
const keyParts = [
  ...new Set([...OPTIONS.map((o) => o.key), ...OBJECT_KEYS].flatMap((k) => k.split('.'))),
].map((p) => (p === '<name>' ? 'gerrit' : p));
const leaf = fc.oneof(
  fc.integer({ min: -5, max: 70_000 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string(),
  fc.constantFrom(
    '#',
    'a/#/b',
    'memory',
    'level:',
    'redis://',
    'redis-sentinel://',
    'redis-sentinel://h/m',
    'scrypt$1024$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==',
    '/mqtt',
  ),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 3 }), tie('object')),
  object: fc.dictionary(fc.constantFrom(...keyParts), tie('node'), { maxKeys: 5 }),
})).object;

describe('resolveConfig on arbitrary input', () => {
  it('either returns a config or throws INVALID_CONFIG, never a bare TypeError', () => {
    fc.assert(
      fc.property(value, (input) => {
        try {
          resolveConfig(input);
        } catch (error) {
          if (!isFirehoseError(error, 'INVALID_CONFIG')) throw error;
          expect(error.message).toMatch(/^Invalid broker config/);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
