import { gerritFields } from '../../model/gerrit-fields.js';
import type { StreamItem } from '../../model/stream-item.js';

/** Gerrit: linked change number, subject, project, owner and signed votes. */
export function GerritLine({ item }: { item: StreamItem }) {
  const fields = gerritFields(item.event.data);
  const url = fields.changeUrl ?? item.rendered.url;
  return (
    <span class="domain">
      {fields.change &&
        (url ? (
          <a href={url} target="_blank" rel="noreferrer" class="change" onClick={stop}>
            #{fields.change}
          </a>
        ) : (
          <span class="change">#{fields.change}</span>
        ))}
      {fields.patchSet && (
        <span class="muted" title="patch set">
          PS{fields.patchSet}
        </span>
      )}
      {fields.subject && <span class="subject">{fields.subject}</span>}
      {fields.project && <span class="project">{fields.project}</span>}
      {!fields.change && fields.ref && <span class="ref">{fields.ref}</span>}
      {fields.owner && <span class="owner">owner {fields.owner}</span>}
      {fields.votes.map((vote) => (
        <span key={vote.label} class={`vote vote-${vote.sign}`}>
          {vote.label} {vote.value}
        </span>
      ))}
    </span>
  );
}

function stop(event: Event): void {
  // A link inside a row opens the link, not the row's details.
  event.stopPropagation();
}
