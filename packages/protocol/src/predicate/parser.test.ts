import { isFirehoseError } from '../errors.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Literal, PathSegment, PredicateNode } from './ast.js';
import { formatPredicate } from './format.js';
import { parsePredicate } from './parser.js';

const key = (name: string): PathSegment => ({ kind: 'key', name });

describe('parsePredicate', () => {
  it('parses a comparison with a bareword value', () => {
    expect(parsePredicate('data.change.branch = master')).toEqual({
      kind: 'compare',
      path: [key('data'), key('change'), key('branch')],
      op: '=',
      value: 'master',
    });
  });

  it('parses [] (any element) and [n] (one element) in paths', () => {
    expect(parsePredicate('data.approvals[].value = -2')).toEqual({
      kind: 'compare',
      path: [key('data'), key('approvals'), { kind: 'any' }, key('value')],
      op: '=',
      value: -2,
    });
    expect(parsePredicate('data.m[0][] != 1.5e3')).toMatchObject({
      path: [key('data'), key('m'), { kind: 'index', index: 0 }, { kind: 'any' }],
      op: '!=',
      value: 1500,
    });
  });

  it('classifies numbers, booleans, null, quoted strings and barewords', () => {
    const value = (text: string): Literal => (parsePredicate(`x = ${text}`) as { value: Literal }).value;
    expect(value('42')).toBe(42);
    expect(value('-0.5')).toBe(-0.5);
    expect(value('true')).toBe(true);
    expect(value('false')).toBe(false);
    expect(value('null')).toBe(null);
    expect(value('"42"')).toBe('42');
    expect(value("'and or'")).toBe('and or');
    expect(value('"say \\"hi\\""')).toBe('say "hi"');
    expect(value('stable/2024.1')).toBe('stable/2024.1');
    expect(value('007')).toBe('007'); // not a JSON number: kept as text
  });

  it('parses regexes as /…/flags, quoted strings or barewords', () => {
    expect(parsePredicate('subject ~ /^nova\\/[a-z]+$/i')).toEqual({
      kind: 'match',
      path: [key('subject')],
      op: '~',
      source: '^nova\\/[a-z]+$',
      flags: 'i',
    });
    expect(parsePredicate('subject !~ "a b"')).toMatchObject({ op: '!~', source: 'a b', flags: '' });
    expect(parsePredicate('subject ~ nova')).toMatchObject({ source: 'nova' });
    // A slash inside a character class does not end the regex.
    expect(parsePredicate('x ~ /[/]x/')).toMatchObject({ source: '[/]x' });
  });

  it('gives not > and > or precedence, and parentheses override it', () => {
    const a: PredicateNode = { kind: 'truthy', path: [key('a')] };
    const b: PredicateNode = { kind: 'truthy', path: [key('b')] };
    const c: PredicateNode = { kind: 'truthy', path: [key('c')] };
    expect(parsePredicate('a or b and c')).toEqual({
      kind: 'or',
      left: a,
      right: { kind: 'and', left: b, right: c },
    });
    expect(parsePredicate('(a or b) and c')).toEqual({
      kind: 'and',
      left: { kind: 'or', left: a, right: b },
      right: c,
    });
    expect(parsePredicate('not a and b')).toEqual({
      kind: 'and',
      left: { kind: 'not', operand: a },
      right: b,
    });
    expect(parsePredicate('not (a and b)')).toEqual({
      kind: 'not',
      operand: { kind: 'and', left: a, right: b },
    });
  });

  it('needs no spaces around operators', () => {
    expect(parsePredicate('(a=1)or(b!=2)')).toMatchObject({ kind: 'or' });
  });

  it.each([
    ['', 1, 'empty'],
    ['data.x =', 9, "expected a value after '='"],
    ['data.x = 1 data.y = 2', 12, "unexpected 'data.y'"],
    ['(a = 1', 7, "expected ')'"],
    ['a = 1)', 6, "unexpected ')'"],
    ['a ! b', 3, "'!' must be followed"],
    ['a = "open', 5, 'no closing "'],
    ['a ~ /open', 5, 'no closing /'],
    ['a ~ /(/', 5, 'does not compile'],
    ['a ~ /x/g', 5, 'flags'],
    ['data..x = 1', 6, 'property name'],
    ['data.x. = 1', 8, 'ends with a dot'],
    ['data[x] = 1', 5, "'[x]'"],
    ['data[ = 1', 5, "no closing ']'"],
    ['and = 1', 1, 'expected a path'],
    ['= 1', 1, 'expected a path'],
    ['a = and', 5, 'expected a value'],
    ['not', 4, 'expected a path'],
  ])('rejects %j at column %i', (source, column, problem) => {
    let error: unknown;
    try {
      parsePredicate(source);
    } catch (e) {
      error = e;
    }
    expect(isFirehoseError(error, 'INVALID_PREDICATE')).toBe(true);
    expect((error as Error).message).toContain(`column ${column}:`);
    expect((error as Error).message).toContain(problem);
  });
});

// Round trip: any tree prints to text that parses back to the same tree.
const name = fc.stringMatching(/^[a-z_][a-z0-9_-]{0,6}$/).filter((s) => !['and', 'or', 'not'].includes(s));
const segment: fc.Arbitrary<PathSegment> = fc.oneof(
  name.map((n) => ({ kind: 'key' as const, name: n })),
  fc.constant({ kind: 'any' as const }),
  fc.nat({ max: 9 }).map((index) => ({ kind: 'index' as const, index })),
);
const path = fc
  .tuple(name, fc.array(segment, { maxLength: 4 }))
  .map(([first, rest]) => [key(first), ...rest]);
const literal: fc.Arbitrary<Literal> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).filter((d) => !Object.is(d, -0)),
  fc.boolean(),
  fc.constant(null),
);
const leaf: fc.Arbitrary<PredicateNode> = fc.oneof(
  path.map((p) => ({ kind: 'truthy' as const, path: p })),
  fc.record({
    kind: fc.constant('compare' as const),
    path,
    op: fc.constantFrom('=' as const, '!=' as const),
    value: literal,
  }),
  fc.record({
    kind: fc.constant('match' as const),
    path,
    op: fc.constantFrom('~' as const, '!~' as const),
    source: fc.stringMatching(/^[a-z0-9 .^$*+?]{0,6}$/).filter((s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    }),
    flags: fc.constantFrom('', 'i', 'ms'),
  }),
);
const tree = fc.letrec<{ node: PredicateNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ kind: fc.constant('not' as const), operand: tie('node') }),
    fc.record({
      kind: fc.constantFrom('and' as const, 'or' as const),
      left: tie('node'),
      right: tie('node'),
    }),
  ),
})).node;

describe('formatPredicate ∘ parsePredicate', () => {
  it('round-trips every tree', () => {
    fc.assert(
      fc.property(tree, (node) => {
        expect(parsePredicate(formatPredicate(node))).toEqual(node);
      }),
      { numRuns: 300 },
    );
  });
});
