import type { StreamItem } from '../../model/stream-item.js';

/** Any other service: the schema's keys and actors, and the topic. */
export function GenericLine({ item }: { item: StreamItem }) {
  const { keys, actors, url } = item.rendered;
  return (
    <span class="domain">
      {keys.project && <span class="project">{keys.project}</span>}
      {/* The schema's link is whatever the event points at (a log file, a bug), not the change: link it separately. */}
      {keys.change && <span class="change">#{keys.change}</span>}
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
