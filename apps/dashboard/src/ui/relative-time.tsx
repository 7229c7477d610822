import { formatRelative, formatUtc } from './format-time.js';

/** Relative time, with the absolute UTC time as tooltip and machine-readable datetime. */
export function RelativeTime({ at, now }: { at: number; now: number }) {
  const absolute = formatUtc(at);
  return (
    <time class="when" dateTime={new Date(at).toISOString()} title={absolute} aria-label={absolute}>
      {formatRelative(at, now)}
    </time>
  );
}
