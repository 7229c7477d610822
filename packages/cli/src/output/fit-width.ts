// Terminal columns of text: CJK ideographs, Hangul, full-width forms and most emoji take two
// columns; combining marks take none. Close enough to wcwidth for event summaries and JSON.
const WIDE =
  /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]/u;
// Combining marks (and variation selectors, also category M) and zero-width spaces and joiners.
const ZERO = /^(?:\p{M}|[\u200B-\u200F])$/u;

function charWidth(char: string): number {
  if (ZERO.test(char)) return 0;
  return WIDE.test(char) ? 2 : 1;
}

/** How many terminal columns `text` takes (no escape sequences expected). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/**
 * `text` cut to at most `width` columns, ending in `…` when something was cut (never in the middle
 * of a wide character). A width below 1 gives the empty string.
 */
export function fitWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width < 1) return '';
  let out = '';
  let used = 0;
  for (const char of text) {
    const next = charWidth(char);
    if (used + next > width - 1) break;
    out += char;
    used += next;
  }
  return `${out}…`;
}

/**
 * An excerpt of `text` in at most `width` columns that says how much it hides (`… +N bytes`), so
 * nobody mistakes an excerpt for the whole event. Empty when even the marker does not fit.
 */
export function excerptToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  const total = Buffer.byteLength(text);
  // The marker's length depends on the hidden byte count; the total bounds it from above.
  const room = width - ` +${total} bytes`.length;
  if (room < 2) return '';
  const cut = fitWidth(text, room).slice(0, -1);
  return `${cut}… +${total - Buffer.byteLength(cut)} bytes`;
}
