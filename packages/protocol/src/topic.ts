import { FirehoseError } from './errors.js';

// MQTT 3.1.1 §4.7: topic names and filters are UTF-8 strings of 1..65535 bytes without U+0000.
const MAX_TOPIC_BYTES = 65_535;
// In `u` mode a well-formed surrogate pair is one code point, so this matches only lone surrogates,
// which cannot be encoded as UTF-8 [MQTT-1.5.3-1].
const LONE_SURROGATE = /\p{Cs}/u;

/** Why `topic` is not a valid MQTT topic name, or `undefined` when it is. */
function topicProblem(text: string, kind: 'topic' | 'filter'): string | undefined {
  if (text.length === 0) return `An MQTT ${kind} must be at least one character long [MQTT-4.7.3-1]`;
  if (text.includes('\u0000')) return `An MQTT ${kind} must not contain U+0000 [MQTT-4.7.3-2]`;
  if (LONE_SURROGATE.test(text)) return `An MQTT ${kind} must be well-formed UTF-8 [MQTT-1.5.3-1]`;
  // Cheap bound first: a UTF-16 code unit is at most 3 UTF-8 bytes.
  if (text.length * 3 > MAX_TOPIC_BYTES && utf8Length(text) > MAX_TOPIC_BYTES) {
    return `An MQTT ${kind} must be at most ${MAX_TOPIC_BYTES} bytes of UTF-8`;
  }
  return undefined;
}

function wildcardProblem(filter: string): string | undefined {
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return "'#' must be a whole level and the last one, as in 'gerrit/#' [MQTT-4.7.1-2]";
    }
    if (level.includes('+') && level !== '+') {
      return "'+' must be a whole level, as in 'gerrit/+/comment-added' [MQTT-4.7.1-3]";
    }
  }
  return undefined;
}

/** Throws `INVALID_TOPIC` unless `topic` is a valid MQTT 3.1.1 topic name (no wildcards). */
export function validateTopic(topic: string): void {
  const problem =
    topicProblem(topic, 'topic') ??
    (topic.includes('+') || topic.includes('#')
      ? "A topic name must not contain the wildcards '+' or '#'; percent-encode them in a level (%2B, %23)"
      : undefined);
  if (problem) throw new FirehoseError('INVALID_TOPIC', `Invalid topic ${quote(topic)}: ${problem}.`);
}

/** Throws `INVALID_FILTER` unless `filter` is a valid MQTT 3.1.1 topic filter. */
export function validateFilter(filter: string): void {
  const problem = topicProblem(filter, 'filter') ?? wildcardProblem(filter);
  if (problem)
    throw new FirehoseError('INVALID_FILTER', `Invalid topic filter ${quote(filter)}: ${problem}.`);
}

export function isValidTopic(topic: string): boolean {
  return topicProblem(topic, 'topic') === undefined && !topic.includes('+') && !topic.includes('#');
}

export function isValidFilter(filter: string): boolean {
  return topicProblem(filter, 'filter') === undefined && wildcardProblem(filter) === undefined;
}

/**
 * Whether a valid topic `filter` matches a valid topic name. `#` also matches its parent level
 * ('sport/#' matches 'sport'), `+` matches one level including an empty one, and a filter starting
 * with a wildcard never matches a topic starting with '$' [MQTT-4.7.2-1].
 */
export function matches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  let f = 0;
  let t = 0;
  for (;;) {
    const fEnd = indexOrEnd(filter, f);
    const fLevel = filter.slice(f, fEnd);
    if (fLevel === '#') return true;
    const tEnd = indexOrEnd(topic, t);
    if (fLevel !== '+' && fLevel !== topic.slice(t, tEnd)) return false;
    const filterDone = fEnd === filter.length;
    const topicDone = tEnd === topic.length;
    if (filterDone || topicDone) {
      if (filterDone && topicDone) return true;
      // 'a/#' matches 'a': the topic is done and the filter's only remaining level is '#'.
      return topicDone && filter.slice(fEnd + 1) === '#';
    }
    f = fEnd + 1;
    t = tEnd + 1;
  }
}

function indexOrEnd(text: string, from: number): number {
  const i = text.indexOf('/', from);
  return i === -1 ? text.length : i;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function quote(text: string): string {
  return text.length > 80 ? `"${text.slice(0, 77)}..."` : JSON.stringify(text);
}
