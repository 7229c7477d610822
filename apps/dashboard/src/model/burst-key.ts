import type { StreamItem } from './stream-item.js';

/**
 * The key under which consecutive events collapse into one row: same service, same change
 * (or build when there is no change). Events without either never collapse.
 */
export function burstKey(item: StreamItem): string | undefined {
  const { keys } = item.rendered;
  const target = keys.change ?? keys.build;
  if (target === undefined || target === '' || target === '-') return undefined;
  return `${item.service}\u0000${keys.project ?? ''}\u0000${target}`;
}
