import { FirehoseError } from '@firehose/protocol';
import { compilePath } from './data-path.js';
import type { EventType } from './event-type.js';
import { hasWildcard, type CompiledTopicTemplate } from './topic-template.js';

/** @internal A declared topic shape and the type published on it. */
export interface TrieEntry {
  readonly template: CompiledTopicTemplate<Record<string, string>>;
  /** The current version of the type published on this topic. */
  readonly eventType: EventType;
  /** Per version: topic parameters repeated in the data, as [name, data path, path keys] (precomputed for checkEvent). */
  readonly sources: Map<EventType, readonly (readonly [string, string, readonly string[]])[]>;
}

/** @internal */
export interface TrieNode {
  readonly fixed: Map<string, TrieNode>;
  param: TrieNode | undefined;
  /** Root of a trie over the levels after a variable-depth parameter, walked from the topic's end. */
  rest: TrieNode | undefined;
  entry: TrieEntry | undefined;
}

const node = (): TrieNode => ({ fixed: new Map(), param: undefined, rest: undefined, entry: undefined });

function child(
  parent: TrieNode,
  segment: CompiledTopicTemplate<Record<string, string>>['segments'][number],
): TrieNode {
  if (segment.kind === 'param') return (parent.param ??= node());
  if (segment.kind === 'fixed') {
    let next = parent.fixed.get(segment.value);
    if (next === undefined) parent.fixed.set(segment.value, (next = node()));
    return next;
  }
  throw new FirehoseError(
    'INVALID_PARAMS',
    'A topic pattern has two variable-depth parameters; allow at most one.',
  );
}

/** @internal Builds the trie over topic levels; `current` picks the version lookup reports for a type. */
export function buildTrie(
  types: readonly EventType[],
  current: (type: string) => EventType | undefined,
): TrieNode {
  const root = node();
  for (const eventType of types) {
    const latest = current(eventType.type) ?? eventType;
    const template = eventType.template as CompiledTopicTemplate<Record<string, string>>;
    const segments = template.segments;
    let at = root;
    const restIndex = template.restIndex;
    const forward = restIndex === -1 ? segments.length : restIndex;
    for (let i = 0; i < forward; i++) at = child(at, segments[i]!);
    if (restIndex !== -1) {
      at = at.rest ??= node();
      for (let i = segments.length - 1; i > restIndex; i--) at = child(at, segments[i]!);
    }
    if (at.entry !== undefined && at.entry.eventType.type !== latest.type) {
      throw new FirehoseError(
        'INVALID_PARAMS',
        `The topic patterns of ${at.entry.eventType.type} and ${latest.type} overlap (${template.pattern}); make them distinct.`,
      );
    }
    const entry = at.entry ?? { template, eventType: latest, sources: new Map() };
    const pairs = Object.entries(eventType.paramSources)
      .filter((pair): pair is [string, string] => typeof pair[1] === 'string')
      .map(([name, path]) => [name, path, compilePath(path)] as const);
    if (pairs.length > 0) entry.sources.set(eventType, pairs);
    at.entry = entry;
  }
  return root;
}

// Backward walk over the levels after the variable-depth parameter; `first` is the first level
// the parameter may take, so at least one level is left for it.
function matchBackward(
  at: TrieNode,
  levels: readonly string[],
  index: number,
  first: number,
): TrieEntry | undefined {
  if (at.entry !== undefined && index >= first) return at.entry;
  if (index <= first) return undefined;
  const level = levels[index]!;
  const fixed = at.fixed.get(level);
  if (fixed !== undefined) {
    const found = matchBackward(fixed, levels, index - 1, first);
    if (found !== undefined) return found;
  }
  return at.param === undefined ? undefined : matchBackward(at.param, levels, index - 1, first);
}

function matchForward(at: TrieNode, levels: readonly string[], index: number): TrieEntry | undefined {
  if (index === levels.length) return at.entry;
  const fixed = at.fixed.get(levels[index]!);
  if (fixed !== undefined) {
    const found = matchForward(fixed, levels, index + 1);
    if (found !== undefined) return found;
  }
  if (at.param !== undefined) {
    const found = matchForward(at.param, levels, index + 1);
    if (found !== undefined) return found;
  }
  return at.rest === undefined ? undefined : matchBackward(at.rest, levels, levels.length - 1, index);
}

/** @internal Finds the declared topic shape of a topic's levels; fixed levels win over parameters. */
export function matchTrie(root: TrieNode, levels: readonly string[]): TrieEntry | undefined {
  return matchForward(root, levels, 0);
}

/** What {@link lookup} finds: the event type published on a topic and the topic's parameters. */
export interface LookupResult {
  eventType: EventType;
  params: Record<string, string>;
}

/** @internal {@link lookup} over a given trie. */
export function lookupIn(root: TrieNode, topic: string): LookupResult | undefined {
  if (typeof topic !== 'string' || hasWildcard(topic)) return undefined;
  const levels = topic.split('/');
  const entry = matchForward(root, levels, 0);
  if (entry === undefined) return undefined;
  const params = entry.template.decode(levels, topic);
  return params === undefined ? undefined : { eventType: entry.eventType, params };
}

/** @internal {@link Catalogue.eventTypeForTopic} over a given trie. */
export function eventTypeForTopicIn(root: TrieNode, topic: string): EventType | undefined {
  if (typeof topic !== 'string' || hasWildcard(topic)) return undefined;
  return matchForward(root, topic.split('/'), 0)?.eventType;
}
