import { FirehoseError, PLACEHOLDER_LEVEL, decodeLevel, encodeLevel } from '@firehose/protocol';

/** Parameter names declared by a topic pattern: `{name}` is one level, `{name+}` spans one or more levels. */
export type TemplateParamNames<T extends string> = T extends `${string}{${infer Name}}${infer Rest}`
  ? (Name extends `${infer Base}+` ? Base : Name) | TemplateParamNames<Rest>
  : never;

/** The parameter object of a topic pattern, e.g. `{ project: string }` for `gerrit/{project+}/comment-added`. */
export type TemplateParams<T extends string> = { [K in TemplateParamNames<T>]: string };

/** Options of {@link TopicTemplate.filters}. */
export interface FilterOptions {
  /**
   * Deepest variable-depth parameter (the project) covered when it is left open. One filter is
   * returned per depth, because a single MQTT filter cannot say "one or more levels here".
   * @default 4
   */
  maxDepth?: number;
}

export interface TopicTemplate<P extends Record<string, string>> {
  /** The pattern, e.g. `gerrit/{project+}/comment-added`. */
  readonly pattern: string;
  /** Parameter names in the order they appear. */
  readonly params: readonly string[];
  /** Builds a topic; throws a FirehoseError `INVALID_PARAMS` for a missing or empty parameter. */
  build(params: P): string;
  /** Parses a topic back into its parameters; `undefined` when the topic does not fit. Round-trips with `build`. */
  parse(topic: string): P | undefined;
  /** MQTT filters that together match exactly the topics with the given parameters, and never overlap. */
  filters(partial?: Partial<P>, options?: FilterOptions): string[];
}

/** One level of a compiled pattern. */
export type TemplateSegment =
  | { readonly kind: 'fixed'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'rest'; readonly name: string };

export const DEFAULT_MAX_DEPTH = 4;

const PARAM = /^\{([A-Za-z][A-Za-z0-9_]*)(\+?)\}$/;

function invalidParams(message: string, path?: string): FirehoseError {
  return new FirehoseError('INVALID_PARAMS', message, path === undefined ? {} : { path });
}

/**
 * @internal True when a string cannot be a topic name: wildcards and U+0000 are not allowed in
 * one [MQTT-4.7.1-1] [MQTT-4.7.3-2]. A filter passed by mistake must not parse as `{ project: '+' }`.
 */
export function hasWildcard(topic: string): boolean {
  // Three native scans beat one character-class regex here (this runs per published message).
  return topic.includes('+') || topic.includes('#') || topic.includes('\u0000');
}

// A `%` that does not start one of the escapes encodeLevel writes (upper-case hex, and never `%2D`:
// a bare `-` is the placeholder) means the level is not in canonical form.
const NON_CANONICAL_ESCAPE = /%(?!2F|2B|23|25|00)/;

/**
 * Decodes one level, or returns `undefined` when it is not in canonical form: a topic whose
 * encoding differs from what `build` produces would escape the filters subscribers use.
 */
function decodeCanonical(level: string): string | undefined {
  if (level === '') return undefined;
  // Fast path: nothing to decode (the overwhelmingly common case on the broker's hot path).
  // This also passes the bare placeholder `-` through as the value `-` ("no value").
  if (!level.includes('%')) return level;
  return NON_CANONICAL_ESCAPE.test(level) ? undefined : decodeLevel(level);
}

/** One level for a value: the placeholder `-` ("no value") stays bare, anything else is percent-encoded. */
function encodeValue(value: string): string {
  return value === PLACEHOLDER_LEVEL ? PLACEHOLDER_LEVEL : encodeLevel(value);
}

/** A compiled topic pattern. Create one with {@link topicTemplate}. */
export class CompiledTopicTemplate<P extends Record<string, string>> implements TopicTemplate<P> {
  readonly pattern: string;
  readonly params: readonly string[];
  /** @internal Levels of the pattern, used by the lookup trie. */
  readonly segments: readonly TemplateSegment[];
  /** @internal Index of the variable-depth segment, or -1. */
  readonly restIndex: number;

  constructor(pattern: string) {
    if (typeof pattern !== 'string' || pattern === '') {
      throw invalidParams(
        'A topic pattern must be a non-empty string such as "gerrit/{project+}/comment-added".',
      );
    }
    this.pattern = pattern;
    const segments: TemplateSegment[] = [];
    const names: string[] = [];
    let restIndex = -1;
    for (const level of pattern.split('/')) {
      const match = PARAM.exec(level);
      if (match) {
        const name = match[1] ?? '';
        if (names.includes(name)) {
          throw invalidParams(
            `The topic pattern "${pattern}" declares "{${name}}" twice; give each parameter one place.`,
          );
        }
        names.push(name);
        if (match[2] === '+') {
          if (restIndex !== -1) {
            throw invalidParams(
              `The topic pattern "${pattern}" has more than one variable-depth parameter; allow at most one so topics parse unambiguously.`,
            );
          }
          restIndex = segments.length;
          segments.push({ kind: 'rest', name });
        } else {
          segments.push({ kind: 'param', name });
        }
      } else {
        // eslint-disable-next-line no-control-regex -- U+0000 is exactly what MQTT forbids in topics
        if (level === '' || /[+#{}\u0000]/u.test(level)) {
          throw invalidParams(
            `The topic pattern "${pattern}" has an invalid fixed level "${level}"; use non-empty levels without wildcards or braces.`,
          );
        }
        segments.push({ kind: 'fixed', value: level });
      }
    }
    this.segments = segments;
    this.restIndex = restIndex;
    this.params = names;
  }

  build(params: P): string {
    const levels: string[] = [];
    for (const segment of this.segments) {
      if (segment.kind === 'fixed') {
        levels.push(segment.value);
        continue;
      }
      const value = this.requireValue(params, segment.name);
      if (segment.kind === 'param') levels.push(encodeValue(value));
      else levels.push(...this.encodeRest(value, segment.name));
    }
    return levels.join('/');
  }

  parse(topic: string): P | undefined {
    if (typeof topic !== 'string' || hasWildcard(topic)) return undefined;
    const levels = topic.split('/');
    if (!this.fits(levels)) return undefined;
    return this.decode(levels, topic);
  }

  filters(partial?: Partial<P> | null, options: FilterOptions = {}): string[] {
    partial ??= {};
    const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    if (!Number.isInteger(maxDepth) || maxDepth < 1) {
      throw invalidParams(`maxDepth must be a positive integer, got ${String(maxDepth)}.`, 'maxDepth');
    }
    for (const key of Object.keys(partial)) {
      if (!this.params.includes(key)) {
        throw invalidParams(
          `The topic pattern "${this.pattern}" has no parameter "${key}"; use one of: ${this.params.join(', ') || '(none)'}.`,
          key,
        );
      }
    }
    const values = partial as Record<string, string | undefined>;
    const head: string[] = [];
    let restLevels: string[] | undefined;
    const tail: string[] = [];
    for (const segment of this.segments) {
      const target = this.restIndex !== -1 && restLevels !== undefined ? tail : head;
      if (segment.kind === 'fixed') {
        target.push(segment.value);
        continue;
      }
      const value = values[segment.name];
      if (segment.kind === 'param') {
        target.push(value === undefined ? '+' : encodeValue(this.checkValue(value, segment.name)));
      } else {
        // An empty array marks "left open": expanded to one filter per depth below.
        restLevels = value === undefined ? [] : this.encodeRest(value, segment.name);
      }
    }
    if (restLevels === undefined) return [head.join('/')];
    if (restLevels.length > 0) return [[...head, ...restLevels, ...tail].join('/')];
    const filters: string[] = [];
    for (let depth = 1; depth <= maxDepth; depth++) {
      filters.push([...head, ...Array.from({ length: depth }, () => '+'), ...tail].join('/'));
    }
    return filters;
  }

  /** @internal True when the level count and every fixed level fit this pattern. */
  fits(levels: readonly string[]): boolean {
    const segments = this.segments;
    if (this.restIndex === -1 ? levels.length !== segments.length : levels.length < segments.length)
      return false;
    const offset = levels.length - segments.length;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      if (segment?.kind !== 'fixed') continue;
      const level = this.restIndex !== -1 && i > this.restIndex ? levels[i + offset] : levels[i];
      if (level !== segment.value) return false;
    }
    return true;
  }

  /** @internal Decodes the parameters of topic levels that already {@link fits} this pattern; `topic` is their source string. */
  decode(levels: readonly string[], topic?: string): P | undefined {
    const params: Record<string, string> = {};
    const segments = this.segments;
    const offset = levels.length - segments.length;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      if (segment === undefined || segment.kind === 'fixed') continue;
      if (segment.kind === 'param') {
        const value = decodeCanonical(
          levels[this.restIndex !== -1 && i > this.restIndex ? i + offset : i] ?? '',
        );
        if (value === undefined) return undefined;
        params[segment.name] = value;
      } else {
        // The value spans levels i..i+offset. When none needed decoding it is a plain slice of the
        // topic (one flat string, no concatenation); otherwise the decoded levels are joined.
        let start = 0;
        for (let k = 0; k < i; k++) start += (levels[k] ?? '').length + 1;
        let end = start - 1;
        let decoded: string[] | undefined;
        for (let j = i; j <= i + offset; j++) {
          const level = levels[j] ?? '';
          const value = decodeCanonical(level);
          // Inside a multi-level value `/` is the level separator; `%2F` there is not canonical.
          if (value === undefined || (value !== level && value.includes('/'))) return undefined;
          if (value !== level) decoded ??= levels.slice(i, j);
          decoded?.push(value);
          end += level.length + 1;
        }
        params[segment.name] =
          decoded === undefined ? (topic ?? levels.join('/')).slice(start, end) : decoded.join('/');
      }
    }
    return params as P;
  }

  private checkValue(value: unknown, name: string): string {
    if (typeof value !== 'string' || value === '') {
      throw invalidParams(
        `The topic parameter "${name}" of "${this.pattern}" must be a non-empty string, got ${value === '' ? 'an empty string' : typeof value}.`,
        name,
      );
    }
    return value;
  }

  private requireValue(params: P | undefined, name: string): string {
    const value = (params as Record<string, unknown> | undefined)?.[name];
    if (value === undefined) {
      throw invalidParams(
        `The topic parameter "${name}" of "${this.pattern}" is missing; pass it to build the topic.`,
        name,
      );
    }
    return this.checkValue(value, name);
  }

  private encodeRest(value: string, name: string): string[] {
    const parts = this.checkValue(value, name).split('/');
    if (parts.includes('')) {
      throw invalidParams(
        `The topic parameter "${name}" ("${value}") has an empty path segment; remove leading, trailing or doubled "/".`,
        name,
      );
    }
    return parts.map((part) => encodeValue(part));
  }
}

/**
 * Compiles a topic pattern such as `zuul/{tenant}/{pipeline}/{project+}/{branch}/{change}`.
 * `{name}` stands for exactly one level (percent-encoded); `{name+}` for one or more levels
 * split on `/` (at most one per pattern, so parsing stays unambiguous). The value `-`
 * (`PLACEHOLDER_LEVEL`) means "no value" and is written as the bare level `-`, e.g. the change
 * of a periodic Zuul item.
 */
export function topicTemplate<const T extends string>(pattern: T): TopicTemplate<TemplateParams<T>> {
  return new CompiledTopicTemplate<TemplateParams<T>>(pattern);
}
