import type { StreamItem } from '../../model/stream-item.js';
import type { StreamEntry } from '../../model/stream-view.js';
import { RelativeTime } from '../relative-time.js';
import { ServiceBadge } from '../service-badge.js';
import { DomainLine } from './domain-line.js';

export interface StreamRowProps {
  readonly entry: StreamEntry;
  /** For a line under an expanded burst: which event of it (newest first). */
  readonly child: number | undefined;
  readonly top: number;
  readonly selected: boolean;
  readonly expanded: boolean;
  readonly now: number;
  readonly onSelect: (id: number, child: number | undefined) => void;
  readonly onOpen: (id: number, child: number | undefined) => void;
  readonly onToggle: (id: number) => void;
}

const FRESH_MS = 500;

/** Event type without the service prefix: `comment-added`. */
function shortType(item: StreamItem): string {
  const dot = item.event.type.indexOf('.');
  return dot === -1 ? item.event.type : item.event.type.slice(dot + 1);
}

export function rowDomId(id: number, child: number | undefined): string {
  return child === undefined ? `row-${id}` : `row-${id}-${child}`;
}

/** One line of the stream: an event, a collapsed burst, or one event under an expanded burst. */
export function StreamRow(props: StreamRowProps) {
  const { entry, child, top, selected, expanded, now } = props;
  const count = entry.items.length;
  const item = (child === undefined ? entry.items[count - 1] : entry.items[count - 1 - child]) as StreamItem;
  // Only rows that just arrived flash (not rows re-mounted by scrolling); CSS turns it off
  // under prefers-reduced-motion.
  // Archived rows were just read, not just published: they do not flash as new.
  const fresh = child === undefined && item.cursor === undefined && Date.now() - item.receivedAt < FRESH_MS;
  const classes = [
    'row',
    selected ? 'selected' : '',
    child !== undefined ? 'child' : '',
    count > 1 && child === undefined ? 'burst' : '',
    fresh ? 'fresh' : '',
  ];
  return (
    <div
      id={rowDomId(entry.id, child)}
      class={classes.join(' ')}
      style={{ transform: `translateY(${top}px)` }}
      data-service={item.service}
      data-seq={item.seq}
      data-topic={item.topic}
      aria-label={`${item.service}: ${item.rendered.summary}`}
      onClick={() => props.onSelect(entry.id, child)}
      onDblClick={() => props.onOpen(entry.id, child)}
    >
      <div class="line1">
        <ServiceBadge service={item.service} />
        <span class="type">{shortType(item)}</span>
        {count > 1 && child === undefined && (
          <button
            type="button"
            class="burst-toggle"
            aria-expanded={expanded}
            aria-label={`${expanded ? 'Collapse' : 'Expand'} ${count} events for this change`}
            onClick={(event) => {
              event.stopPropagation();
              props.onToggle(entry.id);
            }}
          >
            {expanded ? '\u25BE' : '\u25B8'} {count} events
          </button>
        )}
        <span class="summary">{item.rendered.summary}</span>
        <RelativeTime at={item.eventTime} now={now} />
      </div>
      <div class="line2">
        <DomainLine item={item} />
      </div>
    </div>
  );
}
