import { isFirehoseError } from '@firehose/protocol';
import { RESERVED_KEY_NAMES, defineEventType, eventTypes, gerrit, zuul } from '@firehose/schema';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { readPath } from '../src/data-path.js';
import { loadFixture } from './fixtures.js';

const define = (keys: Record<string, string>) =>
  defineEventType({
    service: 'ci',
    event: 'job',
    description: 'A job.',
    topic: 'ci/{project}',
    schema: Type.Object({}),
    keys,
  });

describe('search keys (contract A)', () => {
  it('every built-in event type declares its keys, and each resolves to a scalar on its fixture (bar optional fields)', () => {
    for (const eventType of eventTypes) {
      if (eventType.type === 'gerrit.dropped-output') {
        expect(eventType.keys).toEqual({});
        continue;
      }
      expect(Object.keys(eventType.keys).length, eventType.type).toBeGreaterThan(0);
      const { data } = loadFixture(eventType);
      const resolved = Object.entries(eventType.keys).filter(([, path]) =>
        ['string', 'number'].includes(typeof readPath(data, path)),
      );
      // At least the project-like key (or playbook) is present in every realistic fixture.
      expect(resolved.length, eventType.type).toBeGreaterThan(0);
    }
    expect(gerrit.commentAdded.keys).toEqual({
      project: 'change.project',
      change: 'change.number',
      patchset: 'patchSet.number',
      user: 'author.username',
    });
    expect(zuul.report.keys.change).toBe('change');
  });

  it('keys are frozen and default to none', () => {
    expect(Object.isFrozen(gerrit.commentAdded.keys)).toBe(true);
    expect(define({}).keys).toEqual({});
  });

  it.each([
    ['Project', 'is not a valid name'],
    ['1st', 'is not a valid name'],
    ['with-dash', 'is not a valid name'],
    ...RESERVED_KEY_NAMES.map((name) => [name, 'reserved history query word']),
  ])('refuses the key name %j with a sentence naming it', (name, message) => {
    try {
      define({ [name]: 'project' });
      expect.unreachable();
    } catch (error) {
      expect(isFirehoseError(error) && error.code).toBe('INVALID_PARAMS');
      expect((error as Error).message).toContain(`"${name}"`);
      expect((error as Error).message).toContain(message);
    }
  });

  it('refuses an empty data path', () => {
    expect(() => define({ project: '' })).toThrow(/needs a data path/);
  });
});
