import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFirehoseError } from './errors.js';
import { isValidFilter, isValidTopic, matches, validateFilter, validateTopic } from './topic.js';

// The examples of MQTT 3.1.1 §4.7.1–4.7.2, plus the corners around them.
const matchTable: [filter: string, topic: string, expected: boolean][] = [
  ['sport/tennis/player1/#', 'sport/tennis/player1', true],
  ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
  ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
  ['sport/#', 'sport', true],
  ['#', 'sport/tennis', true],
  ['sport/tennis/+', 'sport/tennis/player1', true],
  ['sport/tennis/+', 'sport/tennis/player2', true],
  ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
  ['sport/tennis/+', 'sport/tennis', false],
  ['sport/+', 'sport', false],
  ['sport/+', 'sport/', true],
  ['+/+', '/finance', true],
  ['/+', '/finance', true],
  ['+', '/finance', false],
  ['+/tennis/#', 'sport/tennis/player1', true],
  ['sport/+/player1', 'sport/tennis/player1', true],
  ['#', '$SYS/broker/clients', false],
  ['+/monitor/Clients', '$SYS/monitor/Clients', false],
  ['$SYS/#', '$SYS/monitor/Clients', true],
  ['$SYS/monitor/+', '$SYS/monitor/Clients', true],
  ['gerrit/#', 'gerrit', true],
  ['gerrit/+/+/comment-added', 'gerrit/openstack/nova/comment-added', true],
  ['gerrit/+/comment-added', 'gerrit/openstack/nova/comment-added', false],
  ['ACCOUNTS', 'Accounts', false],
  ['a//b', 'a//b', true],
  ['a/+/b', 'a//b', true],
  ['a/b', 'a/b/', false],
];

describe('matches', () => {
  it.each(matchTable)('%s vs %s → %s', (filter, topic, expected) => {
    expect(isValidFilter(filter)).toBe(true);
    expect(isValidTopic(topic)).toBe(true);
    expect(matches(filter, topic)).toBe(expected);
  });
});

describe('validateTopic and validateFilter', () => {
  const validFilters = [
    '#',
    '+',
    'sport/#',
    'sport/+/player1',
    '+/+',
    '/',
    'a//b',
    '$SYS/#',
    'sport/tennis/#',
  ];
  const invalidFilters = [
    '',
    'sport/tennis#',
    'sport/tennis/#/ranking',
    'sport+',
    'a/b+/c',
    '#/a',
    'a\u0000b',
    'a\uD800',
  ];
  const validTopics = [
    'sport/tennis',
    '/',
    'a//b',
    '$SYS/broker',
    'gerrit/openstack/nova/comment-added',
    'é/ü/日本',
  ];
  const invalidTopics = ['', 'sport/+', 'sport/#', 'a\u0000', 'a\uDC00b'];

  it.each(validFilters)('accepts filter %j', (filter) => expect(() => validateFilter(filter)).not.toThrow());
  it.each(validTopics)('accepts topic %j', (topic) => expect(() => validateTopic(topic)).not.toThrow());

  it.each(invalidFilters)('refuses filter %j with INVALID_FILTER and a reason', (filter) => {
    expect(isValidFilter(filter)).toBe(false);
    try {
      validateFilter(filter);
      expect.unreachable();
    } catch (error) {
      expect(isFirehoseError(error, 'INVALID_FILTER')).toBe(true);
      expect((error as Error).message).toMatch(/^Invalid topic filter .+: .+\.$/);
    }
  });

  it.each(invalidTopics)('refuses topic %j with INVALID_TOPIC', (topic) => {
    expect(isValidTopic(topic)).toBe(false);
    expect(() => validateTopic(topic)).toThrow(expect.objectContaining({ code: 'INVALID_TOPIC' }) as Error);
  });

  it('counts UTF-8 bytes, not characters, against the 65,535 byte limit', () => {
    expect(isValidTopic('a'.repeat(65_535))).toBe(true);
    expect(isValidTopic('a'.repeat(65_536))).toBe(false);
    // 'é' is 2 bytes: 32,768 of them are 65,536 bytes.
    expect(isValidTopic('é'.repeat(32_767))).toBe(true);
    expect(isValidTopic('é'.repeat(32_768))).toBe(false);
    expect(isValidTopic('😀'.repeat(16_384))).toBe(false);
  });
});

// Topic levels made of ordinary characters (no separators, wildcards or U+0000).
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what MQTT forbids in topics
const level = fc.string({ maxLength: 6 }).filter((s) => !/[/+#\u0000$]/.test(s) && !/\p{Cs}/u.test(s));
const topicLevels = fc.array(level, { minLength: 1, maxLength: 6 }).filter((ls) => ls.join('/') !== '');

describe('matching properties', () => {
  it('every topic matches itself, "#", and itself with any levels replaced by "+"', () => {
    fc.assert(
      fc.property(topicLevels, fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), (levels, wild) => {
        const topic = levels.join('/');
        const filter = levels.map((l, i) => (wild[i] ? '+' : l)).join('/');
        return matches(topic, topic) && matches('#', topic) && matches(filter, topic);
      }),
    );
  });

  it('a prefix followed by "#" matches exactly the topics under that prefix', () => {
    fc.assert(
      fc.property(topicLevels, fc.integer({ min: 1, max: 6 }), (levels, cut) => {
        const prefix = levels.slice(0, cut);
        const filter = [...prefix, '#'].join('/');
        return (
          matches(filter, levels.join('/')) &&
          !matches([...prefix, '\u2603', '#'].join('/'), levels.join('/'))
        );
      }),
    );
  });

  it('a filter with fewer levels and no "#" never matches a longer topic', () => {
    fc.assert(
      fc.property(topicLevels, (levels) => {
        fc.pre(levels.length > 1);
        return !matches(
          levels
            .slice(0, -1)
            .map(() => '+')
            .join('/'),
          levels.join('/'),
        );
      }),
    );
  });

  it('topics starting with "$" are never matched by a leading wildcard [MQTT-4.7.2-1]', () => {
    fc.assert(
      fc.property(topicLevels, (levels) => {
        const topic = `$${levels.join('/')}`;
        return !matches('#', topic) && !matches(['+', ...levels.slice(1)].join('/'), topic);
      }),
    );
  });
});
