import type { StreamItem } from '../../model/stream-item.js';

/**
 * Any other service, a site's own included: the keys its render rules declare (project and change
 * as for OpenStack's, every other one as a chip), its actors, its link, and the topic.
 */
export function GenericLine({ item }: { item: StreamItem }) {
  const { keys, actors, url } = item.rendered;
  const chips = Object.entries(keys).filter(
    (entry): entry is [string, string] =>
      entry[0] !== 'project' && entry[0] !== 'change' && typeof entry[1] === 'string' && entry[1] !== '',
  );
  return (
    <span class="domain">
      {keys.project && <span class="project">{keys.project}</span>}
      {/* The schema's link is whatever the event points at (a log file, a bug), not the change: link it separately. */}
      {keys.change && <span class="change">#{keys.change}</span>}
      {chips.map(([key, value]) => (
        <span key={key} class="chip" data-key={key} title={`${key}: ${value}`}>
          <span class="chip-key">{key}</span> {value}
        </span>
      ))}
      {actors.length > 0 && <span class="owner">by {actors.join(', ')}</span>}
      {url && (
        <a
          href={url}
          target="_blank"
          rel="noreferrer"
          class="link"
          onClick={(event) => event.stopPropagation()}
          title={url}
        >
          {linkLabel(url)}
        </a>
      )}
      <span class="topic">{item.topic}</span>
    </span>
  );
}

/** A short name for a link: its host and the last path segment (`logs.example.org/…/console.html`). */
function linkLabel(url: string): string {
  try {
    const parsed = new URL(url);
    const last = parsed.pathname.split('/').filter(Boolean).pop();
    return last ? `${parsed.host}/…/${last}` : parsed.host;
  } catch {
    return 'link';
  }
}
