import { isValidFilter, matches } from '@firehose/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFilters } from './filter-set.js';

const level = fc.constantFrom('a', 'b', 'c', '$SYS', '$firehose', '', 'x y');
const topicArb = fc.array(level, { minLength: 1, maxLength: 4 }).map((l) => l.join('/'));
const filterArb = fc
  .tuple(fc.array(fc.oneof(level, fc.constant('+')), { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'))
  .chain((f) => fc.constantFrom(f, '#', '+/#', '$SYS/#'))
  .filter(isValidFilter);

describe('compileFilters', () => {
  it('matches exactly like protocol matches() for any set of filters', () => {
    fc.assert(
      fc.property(fc.array(filterArb, { maxLength: 4 }), topicArb, (filters, topic) => {
        const expected = filters.some((f) => matches(f, topic));
        expect(compileFilters(filters).matches(topic)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('covers(f) only when every topic f matches is matched by the set', () => {
    const topics = fc.sample(topicArb, 300);
    fc.assert(
      fc.property(fc.array(filterArb, { maxLength: 3 }), filterArb, (filters, filter) => {
        const set = compileFilters(filters);
        if (!set.covers(filter)) return;
        for (const topic of topics) if (matches(filter, topic)) expect(set.matches(topic)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('overlaps(f) whenever some topic matches both', () => {
    const topics = fc.sample(topicArb, 300);
    fc.assert(
      fc.property(fc.array(filterArb, { maxLength: 3 }), filterArb, (filters, filter) => {
        const set = compileFilters(filters);
        const both = topics.some((t) => matches(filter, t) && set.matches(t));
        if (both) expect(set.overlaps(filter)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    [['#'], 'a/b', true],
    [['a/#'], 'a', true],
    [['#'], '$SYS/broker/uptime', false],
    [['+/broker/uptime'], '$SYS/broker/uptime', false],
    [['$SYS/#'], '$SYS/broker/uptime', true],
    [['a/+'], 'a/', true],
    [['a/+'], 'a', false],
    [['gerrit/+/comment-added'], 'gerrit/nova/comment-added', true],
    [[], 'a', false],
  ] as const)('%j matches %s → %s', (filters, topic, expected) => {
    expect(compileFilters(filters).matches(topic)).toBe(expected);
  });

  it.each([
    [['#'], 'gerrit/#', true],
    [['#'], '#', true],
    [['#'], '$SYS/#', false],
    [['#', '$SYS/#'], '$SYS/broker/+', true],
    [['gerrit/#'], 'gerrit', true],
    [['gerrit/#'], 'gerrit/+/comment-added', true],
    [['gerrit/+'], 'gerrit/#', false],
    [['gerrit/+/#'], 'gerrit/#', false],
    [['+/#'], '+/x', true],
    [['a/+/c'], 'a/b/c', true],
    [['a/b/c'], 'a/+/c', false],
  ] as const)('%j covers %s → %s', (filters, filter, expected) => {
    expect(compileFilters(filters).covers(filter)).toBe(expected);
  });
});
