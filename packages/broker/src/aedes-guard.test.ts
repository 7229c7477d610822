import { isFirehoseError } from '@firehose/protocol';
import { describe, expect, it } from 'vitest';
import { assertAedesFixes } from './aedes-guard.js';

describe('assertAedesFixes', () => {
  it('accepts the workspace fork', () => {
    expect(() => assertAedesFixes()).not.toThrow();
  });

  it('refuses an aedes without the fixes, in one sentence saying what to do', () => {
    let caught: unknown;
    try {
      assertAedesFixes({});
    } catch (error) {
      caught = error;
    }
    expect(isFirehoseError(caught, 'BROKEN_INSTALL')).toBe(true);
    expect((caught as Error).message).toMatch(
      /lacks the firehose fixes \(found none, need \d+\); reinstall @firehose\/broker/,
    );
  });

  it('refuses an older revision of the fork', () => {
    expect(() => assertAedesFixes({ FIREHOSE_FIXES: 0 })).toThrow(/found revision 0/);
  });
});
