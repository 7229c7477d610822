import { useEffect, useRef, useState } from 'preact/hooks';
import { permalink } from '../model/page-config.js';
import type { StreamItem } from '../model/stream-item.js';
import { copyText } from './clipboard.js';
import { formatUtc } from './format-time.js';
import { jsonDiff } from '../model/json-diff.js';
import { JsonTree } from './json-tree.js';
import { ServiceBadge } from './service-badge.js';

export interface DetailPaneProps {
  /** The event shown; for a burst, its events (newest first) are listed to pick from. */
  readonly item: StreamItem;
  readonly burst: readonly StreamItem[];
  readonly onPick: (item: StreamItem) => void;
  readonly onClose: () => void;
}

/** Details of one event: the rendered sentence, the JSON tree, copy event / copy path. */
export function DetailPane({ item, burst, onPick, onClose }: DetailPaneProps) {
  const [path, setPath] = useState<string | undefined>(undefined);
  const [status, setStatus] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    setPath(undefined);
    setStatus('');
  }, [item]);
  useEffect(() => heading.current?.focus(), []);

  const copy = async (what: string, text: string) => {
    setStatus(
      (await copyText(text)) ? `Copied ${what}.` : `Could not copy ${what}; select it in the tree instead.`,
    );
  };
  const record = { topic: item.topic, ...item.event };

  return (
    <aside
      class="detail"
      aria-labelledby="detail-heading"
      onKeyDown={(event) => event.key === 'Escape' && onClose()}
    >
      <header class="detail-head">
        <h2 id="detail-heading" ref={heading} tabIndex={-1}>
          Event details
        </h2>
        <button type="button" onClick={onClose} aria-label="Close event details">
          Close
        </button>
      </header>
      <p class="sentence">
        <ServiceBadge service={item.service} /> {item.rendered.sentence}
      </p>
      <dl class="facts">
        <dt>Topic</dt>
        <dd>
          <code>{item.topic}</code>
        </dd>
        <dt>Type</dt>
        <dd>{item.event.type}</dd>
        <dt>Time</dt>
        <dd>{formatUtc(item.eventTime)}</dd>
        <dt>{item.cursor === undefined ? 'Received' : 'Read from the archive'}</dt>
        <dd>{formatUtc(item.receivedAt)}</dd>
        {item.cursor !== undefined && (
          <>
            <dt>Cursor</dt>
            <dd>
              <code>{item.cursor}</code>
            </dd>
          </>
        )}
        {item.rendered.url && (
          <>
            <dt>Link</dt>
            <dd>
              <a href={item.rendered.url} target="_blank" rel="noreferrer">
                {item.rendered.url}
              </a>
            </dd>
          </>
        )}
      </dl>
      {item.zuul?.previousData !== undefined && <ChangeDiff item={item} />}
      {burst.length > 1 && (
        <nav aria-label="Events in this burst" class="burst-list">
          <ol>
            {burst.map((event) => (
              <li key={event.seq}>
                <button type="button" aria-current={event === item} onClick={() => onPick(event)}>
                  {formatUtc(event.eventTime).slice(11)} {event.rendered.summary}
                </button>
              </li>
            ))}
          </ol>
        </nav>
      )}
      <div class="detail-actions">
        <button type="button" onClick={() => void copy('the event', JSON.stringify(record, null, 2))}>
          Copy event
        </button>
        <button type="button" disabled={!path} onClick={() => path && void copy(path, path)}>
          Copy JSON path
        </button>
        {/* The archive finds an event by its cursor, or by its CloudEvents id (a live event has no cursor). */}
        <a class="permalink" href={permalink(location, item.cursor ?? item.event.id)}>
          Permalink
        </a>
        <output class="muted" aria-live="polite">
          {path ? <code>{path}</code> : 'Select a key to copy its path.'} {status}
        </output>
      </div>
      <JsonTree value={record} selectedPath={path} onSelectPath={setPath} />
    </aside>
  );
}

/** What changed since the previous Zuul event of the same change (job results, action, times). */
function ChangeDiff({ item }: { item: StreamItem }) {
  const changes = jsonDiff(item.zuul?.previousData, item.event.data);
  const show = (value: unknown) =>
    value === undefined ? '∅' : typeof value === 'string' ? value : JSON.stringify(value);
  return (
    <section aria-labelledby="diff-heading" class="change-diff">
      <h3 id="diff-heading" class="sr-only">
        Changes since the previous event of this change
      </h3>
      <p class="muted">
        Since the previous event of this change{item.zuul?.previousType ? ` (${item.zuul.previousType})` : ''}
        : {changes.length === 0 ? 'no change.' : ''}
      </p>
      {changes.length > 0 && (
        <ul class="diff">
          {changes.map((change) => (
            <li key={change.path}>
              <span class="diff-path">{change.path.replace(/^\$\./, '')}</span>{' '}
              <span class="diff-was">{show(change.before)}</span> →{' '}
              <span class="diff-now">{show(change.after)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
