/** Abstract syntax of a `where` predicate (see the package README, "Predicate grammar"). */

/** One step of a path: a property name, `[]` (any element of an array) or `[n]` (element n). */
export type PathSegment =
  | { readonly kind: 'key'; readonly name: string }
  | { readonly kind: 'any' }
  | { readonly kind: 'index'; readonly index: number };

/** A literal on the right of `=` / `!=`. Barewords are strings. */
export type Literal = string | number | boolean | null;

export type PredicateNode =
  | { readonly kind: 'and'; readonly left: PredicateNode; readonly right: PredicateNode }
  | { readonly kind: 'or'; readonly left: PredicateNode; readonly right: PredicateNode }
  | { readonly kind: 'not'; readonly operand: PredicateNode }
  /** A bare path: true when some value it reaches is truthy. */
  | { readonly kind: 'truthy'; readonly path: readonly PathSegment[] }
  | {
      readonly kind: 'compare';
      readonly path: readonly PathSegment[];
      readonly op: '=' | '!=';
      readonly value: Literal;
    }
  | {
      readonly kind: 'match';
      readonly path: readonly PathSegment[];
      readonly op: '~' | '!~';
      readonly source: string;
      readonly flags: string;
    };
