/**
 * MQTT 3.1.1 topic filter matching for the ACL and delivery hot paths [MQTT-4.7]. A filter whose
 * first level is a wildcard does not match topics starting with `$` [MQTT-4.7.2-1].
 */
export function filterMatches(filter: string, topic: string): boolean {
  if (filter === '#') return topic.charCodeAt(0) !== 36;
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.charCodeAt(0) === 36 && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i]!;
    if (level === '#') return true; // also matches the parent level [MQTT-4.7.1-2]
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** True when every topic `inner` can match is also matched by `outer` (both are filters). */
export function filterCovers(outer: string, inner: string): boolean {
  const o = outer.split('/');
  const n = inner.split('/');
  // A leading wildcard in `outer` never matches `$` topics; `inner` may stand for such topics only
  // if it starts with `$` itself (a leading wildcard in `inner` excludes them too).
  if ((o[0] === '+' || o[0] === '#') && inner.charCodeAt(0) === 36) return false;
  for (let i = 0; i < o.length; i++) {
    const level = o[i]!;
    if (level === '#') return true;
    if (i >= n.length) return false;
    const innerLevel = n[i]!;
    if (innerLevel === '#') return false;
    if (level === '+') continue;
    if (innerLevel === '+' || innerLevel !== level) return false;
  }
  return o.length === n.length;
}

/** True when some topic could match both filters. */
export function filtersOverlap(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  if ((x[0] === '+' || x[0] === '#') !== (y[0] === '+' || y[0] === '#')) {
    const literal = x[0] === '+' || x[0] === '#' ? y[0]! : x[0]!;
    if (literal.charCodeAt(0) === 36) return false;
  }
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === '#' || q === '#') return true;
    if (p === undefined || q === undefined) return false;
    if (p !== '+' && q !== '+' && p !== q) return false;
  }
  return true;
}
