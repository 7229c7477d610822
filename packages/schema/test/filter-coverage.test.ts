import { isFirehoseError, matches } from '@firehose/protocol';
import { eventTypes, eventTypesForFilter, gerrit, zuul } from '@firehose/schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixture } from './fixtures.js';

const types = (filter: string) => eventTypesForFilter(filter).map((e) => e.type);

describe('eventTypesForFilter', () => {
  it('lists the event types a filter can receive', () => {
    expect(types('#')).toHaveLength(eventTypes.length);
    expect(types('gerrit/#')).toHaveLength(21);
    expect(types('gerrit/+/comment-added')).toEqual(['gerrit.comment-added']);
    expect(types('gerrit/openstack/nova/+')).toContain('gerrit.patchset-created');
    expect(types('gerrit/openstack/nova/+')).not.toContain('gerrit.dropped-output');
    expect(types('gerrit/-/+')).toContain('gerrit.dropped-output');
    expect(types('+/openstack/nova/#').sort()).toEqual(
      eventTypes
        .filter(
          (e) => !['gerrit.dropped-output', 'launchpad.bug'].includes(e.type) && e.service !== 'ansible',
        )
        .map((e) => e.type)
        .sort(),
    );
    expect(types('zuul/openstack/check/openstack/nova/master/+')).toEqual(['zuul.report']);
  });

  it('finds nothing for filters no declared topic can match', () => {
    expect(types('gerrit/comment-added')).toEqual([]);
    expect(types('zuul/openstack/check/+')).toEqual([]);
    expect(types('nosuchservice/#')).toEqual([]);
    expect(types('$SYS/#')).toEqual([]);
    expect(types('gerrit//comment-added')).toEqual([]);
  });

  it('rejects malformed filters', () => {
    let caught: unknown;
    try {
      eventTypesForFilter('gerrit/#/x');
    } catch (error) {
      caught = error;
    }
    expect(isFirehoseError(caught, 'INVALID_FILTER')).toBe(true);
  });

  it('agrees with matches() on every fixture topic (property)', () => {
    const topics = eventTypes.map((e) => [e, e.topic(loadFixture(e).params)] as const);
    const level = fc.constantFrom(
      '+',
      'gerrit',
      'zuul',
      'openstack',
      'nova',
      'comment-added',
      'check',
      'master',
      '912345',
      '-',
      'x',
      '',
    );
    const filter = fc
      .tuple(fc.array(level, { minLength: 1, maxLength: 7 }), fc.boolean())
      .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'))
      .filter((f) => f !== '');
    fc.assert(
      fc.property(filter, (f) => {
        const found = new Set(types(f));
        for (const [eventType, topic] of topics) {
          // A filter matching a real topic must list its type (no false negatives).
          if (matches(f, topic)) expect(found.has(eventType.type), `${f} ${topic}`).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
    expect(gerrit.commentAdded().filters.every((f) => types(f).includes('gerrit.comment-added'))).toBe(true);
    expect(zuul.report().filters.every((f) => types(f).join() === 'zuul.report')).toBe(true);
  });
});
