import { matches } from '@firehose/protocol';
import { eventTypes, type EventType } from '@firehose/schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// Values exercise the encoding: separators, wildcards, the escape character, the placeholder.
const value = fc.oneof(
  fc.constantFrom('openstack', 'nova', 'stable/2024.1', 'a+b', '#1', '100%', '-', 'c++', 'x'),
  fc.string({ unit: fc.constantFrom('a', 'b', '/', '+', '#', '%', '-', 'é'), minLength: 1, maxLength: 6 }),
);
const project = fc.array(fc.constantFrom('openstack', 'nova', 'a+b', 'x#', '5%', 'All-Projects'), {
  minLength: 1,
  maxLength: 5,
});

const restParam = (eventType: EventType) => /\{(\w+)\+\}/.exec(eventType.template.pattern)?.[1];

function arbitraryParams(eventType: EventType) {
  const rest = restParam(eventType);
  return fc.record(
    Object.fromEntries(
      eventType.template.params.map((name) => [
        name,
        name === rest ? project.map((levels) => levels.join('/')) : value,
      ]),
    ),
  ) as fc.Arbitrary<Record<string, string>>;
}

describe.each(eventTypes.map((e) => [e.type, e] as const))('%s filters', (_, eventType) => {
  it('match exactly the topics with the given params, each through exactly one filter', () => {
    fc.assert(
      fc.property(
        arbitraryParams(eventType),
        arbitraryParams(eventType),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        (target, other, pinned) => {
          const partial: Record<string, string> = {};
          eventType.template.params.forEach((name, index) => {
            if (pinned[index]) partial[name] = target[name]!;
          });
          const filters = eventType.template.filters(partial);
          const topic = eventType.topic(other);
          // Only the variable-depth parameter is limited by maxDepth (4) when left open.
          const rest = restParam(eventType);
          const depth = rest === undefined ? 1 : other[rest]!.split('/').length;
          const shouldMatch =
            Object.entries(partial).every(([name, v]) => other[name] === v) &&
            (rest === undefined || partial[rest] !== undefined || depth <= 4);
          const hits = filters.filter((filter) => matches(filter, topic)).length;
          expect(hits).toBe(shouldMatch ? 1 : 0);
          expect(eventType.template.parse(topic)).toEqual(other);
        },
      ),
      { numRuns: 300 },
    );
  });
});
