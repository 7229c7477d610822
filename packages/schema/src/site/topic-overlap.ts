import type { TemplateSegment } from '../topic-template.js';

/** A pattern level: a fixed text, any one level, or any levels (zero or more). */
type Step = { kind: 'fixed'; value: string } | { kind: 'one' } | { kind: 'many' };

// `{project+}` is one level followed by any number of further levels.
const steps = (segments: readonly TemplateSegment[]): Step[] =>
  segments.flatMap((s): Step[] =>
    s.kind === 'fixed' ? [s] : s.kind === 'param' ? [{ kind: 'one' }] : [{ kind: 'one' }, { kind: 'many' }],
  );

/**
 * True when some topic fits both patterns, e.g. `github/{repo+}/push` and `github/acme/{kind}`
 * (`github/acme/push`). Such types cannot share a broker: a topic would not say its type.
 */
export function topicsOverlap(a: readonly TemplateSegment[], b: readonly TemplateSegment[]): boolean {
  const x = steps(a);
  const y = steps(b);
  const memo = new Map<number, boolean>();
  const fits = (i: number, j: number): boolean => {
    const key = i * (y.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    const s = x[i];
    const t = y[j];
    if (s === undefined && t === undefined) result = true;
    else if (s?.kind === 'many') result = fits(i + 1, j) || (t !== undefined && fits(i, j + 1));
    else if (t?.kind === 'many') result = fits(i, j + 1) || (s !== undefined && fits(i + 1, j));
    else if (s === undefined || t === undefined) result = false;
    else result = (s.kind !== 'fixed' || t.kind !== 'fixed' || s.value === t.value) && fits(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return fits(0, 0);
}
