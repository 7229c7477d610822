import type { Literal, PathSegment, PredicateNode } from './ast.js';

/** A compiled predicate: true when the value satisfies it. Never throws. */
export type Predicate = (value: unknown) => boolean;

type Test = (leaf: unknown) => boolean;

/**
 * Turns a syntax tree into a closure. Paths are resolved against the value each time (no copies);
 * a path through `[]` reaches every element, and a condition holds when **some** reached value
 * satisfies it. `!=` and `!~` are the negations of `=` and `~`, so `x != 1` holds when no reached
 * value equals 1, including when the path reaches nothing.
 */
export function evaluatePredicate(node: PredicateNode): Predicate {
  switch (node.kind) {
    case 'and': {
      const left = evaluatePredicate(node.left);
      const right = evaluatePredicate(node.right);
      return (value) => left(value) && right(value);
    }
    case 'or': {
      const left = evaluatePredicate(node.left);
      const right = evaluatePredicate(node.right);
      return (value) => left(value) || right(value);
    }
    case 'not': {
      const operand = evaluatePredicate(node.operand);
      return (value) => !operand(value);
    }
    case 'truthy': {
      const path = node.path;
      return (value) => some(value, path, 0, Boolean);
    }
    case 'compare': {
      const path = node.path;
      const literal = node.value;
      const test: Test = (leaf) => equals(leaf, literal);
      return node.op === '=' ? (value) => some(value, path, 0, test) : (value) => !some(value, path, 0, test);
    }
    case 'match': {
      const path = node.path;
      const regex = new RegExp(node.source, node.flags);
      const test: Test = (leaf) =>
        (typeof leaf === 'string' || typeof leaf === 'number' || typeof leaf === 'boolean') &&
        regex.test(String(leaf));
      return node.op === '~' ? (value) => some(value, path, 0, test) : (value) => !some(value, path, 0, test);
    }
  }
}

function some(value: unknown, path: readonly PathSegment[], index: number, test: Test): boolean {
  if (index === path.length) return test(value);
  const segment = path[index]!;
  switch (segment.kind) {
    case 'key': {
      // Own properties only: a path such as `constructor` must not reach into prototypes.
      if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment.name)) return false;
      return some((value as Record<string, unknown>)[segment.name], path, index + 1, test);
    }
    case 'any': {
      if (!Array.isArray(value)) return false;
      for (const element of value as unknown[]) if (some(element, path, index + 1, test)) return true;
      return false;
    }
    case 'index': {
      if (!Array.isArray(value) || segment.index >= value.length) return false;
      return some((value as unknown[])[segment.index], path, index + 1, test);
    }
  }
}

/**
 * Same type: strict equality. A number and a string (or boolean) compare by their text, so
 * `data.change.number = 912345` holds whether upstream sent the number or the string.
 */
function equals(actual: unknown, literal: Literal): boolean {
  if (actual === literal) return true;
  if (literal === null || actual === null) return false;
  if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean') return false;
  return String(actual) === String(literal);
}
