import type { StreamItem } from '../../model/stream-item.js';

/** Any other service: the schema's keys and actors, and the topic. */
export function GenericLine({ item }: { item: StreamItem }) {
  const { keys, actors, url } = item.rendered;
  return (
    <span class="domain">
      {keys.project && <span class="project">{keys.project}</span>}
      {keys.change &&
        (url ? (
          <a href={url} target="_blank" rel="noreferrer" class="change" onClick={(event) => event.stopPropagation()}>
            #{keys.change}
          </a>
        ) : (
          <span class="change">#{keys.change}</span>
        ))}
      {actors.length > 0 && <span class="owner">by {actors.join(', ')}</span>}
      <span class="topic">{item.topic}</span>
    </span>
  );
}
