import { FirehoseError } from '../errors.js';

type TokenKind =
  | 'word' // a path, a bareword value, a number or a keyword; classified by the parser
  | 'string' // "…" or '…', escapes resolved
  | 'regex' // /…/flags, only directly after `~` or `!~`
  | '='
  | '!='
  | '~'
  | '!~'
  | '('
  | ')'
  | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** Text for words and strings (unescaped), the pattern for regexes. */
  readonly text: string;
  /** Regex flags. */
  readonly flags?: string;
  /** 1-based column of the token's first character, for error messages. */
  readonly column: number;
}

// Characters that end a bareword. Everything else (letters, digits, `.`, `[`, `]`, `-`, `/`, `:`,
// `@`, `+`, `_`, `%`, …) may appear in a path or an unquoted value such as `stable/2024.1`.
const BREAKS = new Set([' ', '\t', '\n', '\r', '(', ')', '=', '!', '~', '"', "'"]);

/** Throws the one error type every predicate problem uses, naming the column. */
export function predicateError(source: string, column: number, problem: string): FirehoseError {
  return new FirehoseError(
    'INVALID_PREDICATE',
    `Invalid where predicate at column ${column}: ${problem}. ` +
      `Write comparisons as <path> <op> <value>, e.g. 'data.change.branch = master and not data.approvals[].value = -2' (predicate: ${JSON.stringify(source)}).`,
  );
}

/** Splits a predicate into tokens; the last one is always `end`. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const ch = source[i]!;
    const column = i + 1;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === '=' || ch === '~') {
      tokens.push({ kind: ch, text: ch, column });
      i++;
    } else if (ch === '!') {
      const next = source[i + 1];
      if (next === '=') tokens.push({ kind: '!=', text: '!=', column });
      else if (next === '~') tokens.push({ kind: '!~', text: '!~', column });
      else throw predicateError(source, column, "'!' must be followed by '=' or '~' (use 'not' to negate)");
      i += 2;
    } else if (ch === '"' || ch === "'") {
      const [text, end] = readQuoted(source, i);
      tokens.push({ kind: 'string', text, column });
      i = end;
    } else if (ch === '/' && isRegexPosition(tokens)) {
      const [pattern, flags, end] = readRegex(source, i);
      tokens.push({ kind: 'regex', text: pattern, flags, column });
      i = end;
    } else {
      let end = i;
      while (end < n && !BREAKS.has(source[end]!)) end++;
      tokens.push({ kind: 'word', text: source.slice(i, end), column });
      i = end;
    }
  }
  tokens.push({ kind: 'end', text: '', column: n + 1 });
  return tokens;
}

function isRegexPosition(tokens: readonly Token[]): boolean {
  const previous = tokens[tokens.length - 1];
  return previous !== undefined && (previous.kind === '~' || previous.kind === '!~');
}

function readQuoted(source: string, start: number): [string, number] {
  const quote = source[start]!;
  let text = '';
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === quote) return [text, i + 1];
    if (ch === '\\') {
      const next = source[i + 1];
      if (next === undefined) break;
      // Only the quote and the backslash need escaping; any other escaped character stands for itself.
      text += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      i += 2;
      continue;
    }
    text += ch;
    i++;
  }
  throw predicateError(source, start + 1, `the string starting here has no closing ${quote}`);
}

function readRegex(source: string, start: number): [string, string, number] {
  let i = start + 1;
  let inClass = false;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === ']') inClass = false;
    else if (ch === '/' && !inClass) {
      const pattern = source.slice(start + 1, i);
      let end = i + 1;
      while (end < source.length && /[a-z]/i.test(source[end]!)) end++;
      return [pattern, source.slice(i + 1, end), end];
    }
    i++;
  }
  throw predicateError(source, start + 1, 'the regular expression starting here has no closing /');
}
