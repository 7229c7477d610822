import { eventTypes, getEventType, lookup } from '@firehose/schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// Levels that occur in declared topics (services, fixed levels, event names) plus free values.
const fixedLevels = [
  ...new Set(eventTypes.flatMap((e) => e.template.pattern.split('/')).filter((l) => !l.startsWith('{'))),
];
const level = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...fixedLevels) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('openstack', 'nova', 'master', 'stable%2F2024.1', '912345', 'x', '%41', ''),
  },
);
const random = fc.array(level, { minLength: 1, maxLength: 8 });
// Topics shaped like a declared template (parameters filled with random levels), then possibly
// mutated by replacing, dropping or inserting one level: the near misses a trie gets wrong.
const shaped = fc
  .tuple(
    fc.constantFrom(...eventTypes),
    fc.array(level, { minLength: 12, maxLength: 12 }),
    fc.integer({ min: 1, max: 3 }),
    fc.option(fc.tuple(fc.constantFrom('replace', 'drop', 'insert'), fc.nat(), level)),
  )
  .map(([eventType, values, depth, mutation]) => {
    const levels: string[] = [];
    let next = 0;
    for (const part of eventType.template.pattern.split('/')) {
      if (!part.startsWith('{')) levels.push(part);
      else if (part.endsWith('+}')) for (let d = 0; d < depth; d++) levels.push(values[next++]!);
      else levels.push(values[next++]!);
    }
    if (mutation !== null) {
      const [op, index, value] = mutation;
      const at = index % levels.length;
      if (op === 'replace') levels[at] = value;
      else if (op === 'drop' && levels.length > 1) levels.splice(at, 1);
      else levels.splice(at, 0, value);
    }
    return levels;
  });
const topic = fc.oneof(random, shaped).map((levels) => levels.join('/'));

describe('lookup (trie) agrees with a scan of every template', () => {
  it('finds the one template that parses a topic, or none', () => {
    let declared = 0;
    fc.assert(
      fc.property(topic, (t) => {
        const parsing = eventTypes.filter((e) => e.template.parse(t) !== undefined);
        // The catalogue is unambiguous: no topic fits two event types.
        expect(new Set(parsing.map((e) => e.type)).size).toBeLessThanOrEqual(1);
        const found = lookup(t);
        if (parsing.length === 0) {
          expect(found).toBeUndefined();
        } else {
          declared++;
          expect(found?.eventType).toBe(getEventType(parsing[0]!.type));
          expect(found?.params).toEqual(parsing[0]!.template.parse(t));
        }
      }),
      { numRuns: 3000 },
    );
    // The generator must reach declared topics often enough for the comparison to mean something.
    expect(declared).toBeGreaterThan(300);
  });
});
