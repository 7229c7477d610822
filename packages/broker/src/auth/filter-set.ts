/**
 * A set of MQTT topic filters compiled into a trie over levels, so "does any of these filters
 * match this topic?" costs one walk per message instead of one `matches()` per filter. ACL checks
 * run on every delivered message, so this is on the hot path.
 */

interface Node {
  children: Map<string, Node>;
  /** Child for a `+` level. */
  plus: Node | undefined;
  /** A filter ends here with `#`: everything at or below this node matches. */
  hash: boolean;
  /** A filter ends exactly here. */
  end: boolean;
}

export interface FilterSet {
  /** The filters the set was built from. */
  readonly filters: readonly string[];
  /** True when the set is empty (lets callers skip work). */
  readonly empty: boolean;
  /** Whether any filter matches the topic name (MQTT 3.1.1 rules, `$` topics included). */
  matches(topic: string): boolean;
  /**
   * Whether every topic the given filter can match is matched by one filter of the set
   * (conservative: a filter covered only by the union of several is reported as not covered).
   */
  covers(filter: string): boolean;
  /** Whether some topic could match both the given filter and a filter of the set. */
  overlaps(filter: string): boolean;
}

function node(): Node {
  return { children: new Map(), plus: undefined, hash: false, end: false };
}

/** Compiles filters (already validated with `validateFilter`) into a FilterSet. */
export function compileFilters(filters: readonly string[]): FilterSet {
  const root = node();
  for (const filter of filters) {
    let current = root;
    let hashed = false;
    for (const level of filter.split('/')) {
      if (level === '#') {
        // Validated filters have '#' only as their last level.
        current.hash = true;
        hashed = true;
        break;
      }
      if (level === '+') {
        current.plus ??= node();
        current = current.plus;
      } else {
        let next = current.children.get(level);
        if (next === undefined) {
          next = node();
          current.children.set(level, next);
        }
        current = next;
      }
    }
    if (!hashed) current.end = true;
  }
  const empty = filters.length === 0;
  return {
    filters: [...filters],
    empty,
    // Walks the topic string in place: no split, no array, per delivered message.
    matches: (topic) => !empty && matchAt(root, topic, 0),
    covers: (filter) => !empty && coverLevels(root, filter.split('/'), 0),
    overlaps: (filter) => !empty && overlapLevels(root, filter.split('/'), 0),
  };
}

// A filter starting with a wildcard never matches a topic starting with '$' [MQTT-4.7.2-1].
function dollarAt(levels: readonly string[], i: number): boolean {
  return i === 0 && (levels[0]?.startsWith('$') ?? false);
}

// `start` is where the next level begins; past the end of the topic means "no levels left".
function matchAt(current: Node, topic: string, start: number): boolean {
  const dollar = start === 0 && topic.charCodeAt(0) === 0x24; // '$'
  if (current.hash && !dollar) return true;
  if (start > topic.length) return current.end;
  let end = topic.indexOf('/', start);
  if (end === -1) end = topic.length;
  if (current.children.size > 0) {
    const child = current.children.get(topic.slice(start, end));
    if (child !== undefined && matchAt(child, topic, end + 1)) return true;
  }
  return current.plus !== undefined && !dollar && matchAt(current.plus, topic, end + 1);
}

function coverLevels(current: Node, levels: readonly string[], i: number): boolean {
  if (current.hash && !dollarAt(levels, i)) return true;
  if (i === levels.length) return current.end;
  const level = levels[i]!;
  // Only a '#' of the set (checked above) covers a '#'.
  if (level === '#') return false;
  if (level === '+') return current.plus !== undefined && coverLevels(current.plus, levels, i + 1);
  const child = current.children.get(level);
  if (child !== undefined && coverLevels(child, levels, i + 1)) return true;
  return current.plus !== undefined && !dollarAt(levels, i) && coverLevels(current.plus, levels, i + 1);
}

function overlapLevels(current: Node, levels: readonly string[], i: number): boolean {
  const level = levels[i];
  // A wildcard first level of either side never meets a '$' level of the other [MQTT-4.7.2-1].
  const dollar = dollarAt(levels, i);
  if (current.hash && !dollar) return true;
  if (level === undefined) return current.end;
  if (level === '#') {
    // The given filter matches everything from here (including this parent level); the set
    // overlaps if anything below is reachable without a '$' first level.
    return i === 0
      ? hasNonDollar(current)
      : current.end || current.plus !== undefined || current.children.size > 0;
  }
  if (level === '+') {
    if (current.plus !== undefined && overlapLevels(current.plus, levels, i + 1)) return true;
    for (const [name, child] of current.children) {
      if (i === 0 && name.startsWith('$')) continue;
      if (overlapLevels(child, levels, i + 1)) return true;
    }
    return false;
  }
  const child = current.children.get(level);
  if (child !== undefined && overlapLevels(child, levels, i + 1)) return true;
  return current.plus !== undefined && !dollar && overlapLevels(current.plus, levels, i + 1);
}

function hasNonDollar(root: Node): boolean {
  if (root.end || root.plus !== undefined) return true;
  for (const name of root.children.keys()) if (!name.startsWith('$')) return true;
  return false;
}
