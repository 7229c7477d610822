import type { Literal, PathSegment, PredicateNode } from './ast.js';
import { predicateError, tokenize, type Token } from './tokenizer.js';

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const KEYWORDS = new Set(['and', 'or', 'not']);
// `g` and `y` make RegExp.test stateful (lastIndex), which would make one event's result depend on
// the previous event; `d` only adds indices nobody reads.
const ALLOWED_FLAGS = /^[imsu]*$/;

/**
 * Parses a `where` predicate into its syntax tree.
 *
 * ```text
 * predicate  := or
 * or         := and ( "or" and )*
 * and        := unary ( "and" unary )*
 * unary      := "not" unary | "(" or ")" | condition
 * condition  := path [ ( "=" | "!=" ) value | ( "~" | "!~" ) pattern ]
 * path       := name ( "." name | "[]" | "[" digits "]" )*
 * value      := number | true | false | null | "string" | 'string' | bareword
 * pattern    := /regex/flags | "string" | bareword
 * ```
 *
 * @throws FirehoseError `INVALID_PREDICATE` naming the column of the first problem.
 */
export function parsePredicate(source: string): PredicateNode {
  const parser = new Parser(source, tokenize(source));
  return parser.parse();
}

class Parser {
  private position = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  parse(): PredicateNode {
    if (this.peek().kind === 'end') throw this.error(this.peek(), 'the predicate is empty');
    const node = this.parseOr();
    const rest = this.peek();
    if (rest.kind !== 'end') {
      throw this.error(rest, `unexpected ${describe(rest)}; join conditions with 'and' or 'or'`);
    }
    return node;
  }

  private peek(): Token {
    // The tokenizer always ends with an `end` token, and `next` never moves past it.
    return this.tokens[this.position]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position++;
    return token;
  }

  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.text === word;
  }

  private error(token: Token, problem: string): Error {
    return predicateError(this.source, token.column, problem);
  }

  private parseOr(): PredicateNode {
    let left = this.parseAnd();
    while (this.isKeyword('or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): PredicateNode {
    let left = this.parseUnary();
    while (this.isKeyword('and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): PredicateNode {
    const token = this.peek();
    if (token.kind === 'word' && token.text === 'not') {
      this.next();
      return { kind: 'not', operand: this.parseUnary() };
    }
    if (token.kind === '(') {
      this.next();
      const inner = this.parseOr();
      const close = this.next();
      if (close.kind !== ')')
        throw this.error(
          close,
          `expected ')' to close the '(' at column ${token.column}, found ${describe(close)}`,
        );
      return inner;
    }
    return this.parseCondition();
  }

  private parseCondition(): PredicateNode {
    const token = this.next();
    if (token.kind !== 'word' || KEYWORDS.has(token.text)) {
      throw this.error(token, `expected a path such as data.change.project, found ${describe(token)}`);
    }
    const path = this.parsePath(token);
    const op = this.peek();
    if (op.kind === '=' || op.kind === '!=') {
      this.next();
      return { kind: 'compare', path, op: op.kind, value: this.parseValue(op) };
    }
    if (op.kind === '~' || op.kind === '!~') {
      this.next();
      const { source, flags } = this.parsePattern(op);
      return { kind: 'match', path, op: op.kind, source, flags };
    }
    return { kind: 'truthy', path };
  }

  private parsePath(token: Token): PathSegment[] {
    const text = token.text;
    const segments: PathSegment[] = [];
    let i = 0;
    const fail = (offset: number, problem: string): Error =>
      predicateError(this.source, token.column + offset, problem);
    while (i < text.length) {
      let end = i;
      while (end < text.length && text[end] !== '.' && text[end] !== '[' && text[end] !== ']') end++;
      if (end === i) throw fail(i, `expected a property name in the path ${JSON.stringify(text)}`);
      segments.push({ kind: 'key', name: text.slice(i, end) });
      i = end;
      while (text[i] === '[') {
        const close = text.indexOf(']', i);
        if (close < 0) throw fail(i, `'[' in the path has no closing ']'`);
        const inside = text.slice(i + 1, close);
        if (inside === '') segments.push({ kind: 'any' });
        else if (/^\d+$/.test(inside)) segments.push({ kind: 'index', index: Number(inside) });
        else throw fail(i, `'[${inside}]' is not '[]' (any element) or '[n]' (element n)`);
        i = close + 1;
      }
      if (i >= text.length) break;
      if (text[i] === ']') throw fail(i, `unexpected ']' in the path`);
      // text[i] is '.'
      i++;
      if (i >= text.length) throw fail(i, 'the path ends with a dot');
    }
    return segments;
  }

  private parseValue(op: Token): Literal {
    const token = this.next();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'word' && !KEYWORDS.has(token.text)) {
      if (NUMBER.test(token.text)) return Number(token.text);
      if (token.text === 'true') return true;
      if (token.text === 'false') return false;
      if (token.text === 'null') return null;
      return token.text;
    }
    throw this.error(
      token,
      `expected a value after '${op.text}', found ${describe(token)} (quote it if it is text)`,
    );
  }

  private parsePattern(op: Token): { source: string; flags: string } {
    const token = this.next();
    let source: string;
    let flags = '';
    if (token.kind === 'regex') {
      source = token.text;
      flags = token.flags ?? '';
    } else if (token.kind === 'string' || (token.kind === 'word' && !KEYWORDS.has(token.text))) {
      source = token.text;
    } else {
      throw this.error(
        token,
        `expected a /regex/ or a quoted pattern after '${op.text}', found ${describe(token)}`,
      );
    }
    if (!ALLOWED_FLAGS.test(flags)) {
      throw this.error(token, `regex flags may only be i, m, s and u (found '${flags}')`);
    }
    try {
      new RegExp(source, flags);
    } catch (cause) {
      throw this.error(token, `the regular expression does not compile (${(cause as Error).message})`);
    }
    return { source, flags };
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the predicate';
    case 'word':
      return `'${token.text}'`;
    case 'string':
      return `the string ${JSON.stringify(token.text)}`;
    case 'regex':
      return `the regex /${token.text}/`;
    case '=':
    case '!=':
    case '~':
    case '!~':
    case '(':
    case ')':
      return `'${token.kind}'`;
  }
}
