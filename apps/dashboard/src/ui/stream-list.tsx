import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { RowMap, type Expansion, type RowRef } from '../model/row-map.js';
import type { StreamStore } from '../model/stream-store.js';
import type { StreamEntry } from '../model/stream-view.js';
import { StreamRow, rowDomId } from './rows/stream-row.js';
import { useStoreVersion } from './use-store.js';

/** Fixed row height: it is what lets the list mount only the rows in view. */
const ROW_HEIGHT = 56;
const OVERSCAN = 6;
/** More events than this per commit and new rows stop flashing. */
const BUSY_BATCH = 5;

export interface Selection {
  readonly id: number;
  readonly child: number | undefined;
}

export interface StreamListProps {
  readonly store: StreamStore;
  readonly now: number;
  readonly selection: Selection | undefined;
  readonly expanded: ReadonlySet<number>;
  readonly onSelect: (selection: Selection | undefined) => void;
  readonly onOpen: (selection: Selection) => void;
  readonly onToggle: (id: number) => void;
  /** Called with true when the user scrolls away from the live edge (top), false when back at it. */
  readonly onScrollAway: (away: boolean) => void;
  /** Bumped by the app to jump back to the live edge. */
  readonly scrollToTopSignal: number;
  readonly empty: preact.ComponentChildren;
  /** Called when the oldest row comes into view (or the rows do not fill the list): load older ones. */
  readonly onNearEnd?: () => void;
  /** Shown below the oldest row (what the archive has further down). */
  readonly foot?: preact.ComponentChildren;
}

/**
 * The virtualised stream, newest first: however many events are retained, only the rows in
 * view (plus a small overscan) are mounted.
 */
export function StreamList(props: StreamListProps) {
  const { store, selection, expanded } = props;
  useStoreVersion(store);
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    setHeight(element.clientHeight);
    return () => observer.disconnect();
  }, []);

  // A layout effect: the jump to the live edge lands in the same frame as the rows it reveals.
  useLayoutEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
    setScrollTop(0);
  }, [props.scrollToTopSignal]);

  const view = store.view;
  // Rows that do not fill the list cannot be scrolled past: ask for older ones, once per new row count
  // (a page the filters hide entirely adds no rows, so this never runs through the whole archive).
  const filledAt = useRef(-1);
  useEffect(() => {
    const element = scroller.current;
    if (!element || props.onNearEnd === undefined) return;
    if (element.scrollHeight <= element.clientHeight + ROW_HEIGHT && view.length !== filledAt.current) {
      filledAt.current = view.length;
      props.onNearEnd();
    }
  });

  const expansions: Expansion[] = [];
  for (const id of expanded) {
    const position = view.positionOf(id);
    const entry = view.newest(position);
    if (entry && entry.items.length > 1) expansions.push({ position, children: entry.items.length });
  }
  const rows = new RowMap(view.length, expansions);
  const refOf = (line: number): (RowRef & { entry: StreamEntry }) | undefined => {
    const ref = rows.at(line);
    const entry = ref && view.newest(ref.position);
    return ref && entry ? { ...ref, entry } : undefined;
  };
  const lineOfSelection = (): number => {
    if (!selection) return -1;
    const position = view.positionOf(selection.id);
    if (position < 0) return -1;
    return rows.lineOf(position) + (selection.child === undefined ? 0 : selection.child + 1);
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.total, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const mounted = [];
  for (let line = first; line < last; line += 1) {
    const ref = refOf(line);
    if (!ref) continue;
    const { entry, child } = ref;
    mounted.push(
      <StreamRow
        key={child === undefined ? `${entry.id}` : `${entry.id}-${child}`}
        entry={entry}
        child={child}
        top={line * ROW_HEIGHT}
        selected={selection?.id === entry.id && selection.child === child}
        expanded={expanded.has(entry.id)}
        now={props.now}
        onSelect={(id, selectedChild) => props.onSelect({ id, child: selectedChild })}
        onOpen={(id, selectedChild) => props.onOpen({ id, child: selectedChild })}
        onToggle={props.onToggle}
      />,
    );
  }

  const moveTo = (line: number) => {
    const target = Math.max(0, Math.min(rows.total - 1, line));
    const ref = refOf(target);
    if (!ref) return;
    props.onSelect({ id: ref.entry.id, child: ref.child });
    const element = scroller.current;
    if (!element) return;
    const top = target * ROW_HEIGHT;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + ROW_HEIGHT > element.scrollTop + element.clientHeight)
      element.scrollTop = top + ROW_HEIGHT - element.clientHeight;
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const current = lineOfSelection();
    const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
    switch (event.key) {
      case 'ArrowDown':
        moveTo(current + 1);
        break;
      case 'ArrowUp':
        moveTo(current - 1);
        break;
      case 'PageDown':
        moveTo(current + page);
        break;
      case 'PageUp':
        moveTo(current - page);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(rows.total - 1);
        break;
      case 'Enter':
        if (selection) props.onOpen(selection);
        break;
      case 'ArrowRight':
      case 'ArrowLeft':
        if (selection && selection.child === undefined) {
          const isOpen = expanded.has(selection.id);
          if ((event.key === 'ArrowRight') !== isOpen) props.onToggle(selection.id);
        }
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  const busy = store.lastBatchSize > BUSY_BATCH;
  const selectedLabel = useSelectedLabel(
    selection === undefined ? undefined : rowDomId(selection.id, selection.child),
  );
  const selectedLine = lineOfSelection();
  const activeId =
    selection && selectedLine >= first && selectedLine < last
      ? rowDomId(selection.id, selection.child)
      : undefined;

  return (
    <>
      <div
        ref={scroller}
        class="stream"
        role="log"
        aria-label="Event stream, newest first"
        // A log announces additions; under a firehose that would drown a screen reader, so only
        // a calm stream is announced (the selection stays navigable with the arrow keys).
        aria-live={busy ? 'off' : 'polite'}
        aria-relevant="additions"
        tabIndex={0}
        data-rows={rows.total}
        data-busy={busy ? '' : undefined}
        onKeyDown={onKeyDown}
        onScroll={(event) => {
          const top = event.currentTarget.scrollTop;
          setScrollTop(top);
          props.onScrollAway(top > ROW_HEIGHT / 2);
          const element = event.currentTarget;
          if (top + element.clientHeight >= element.scrollHeight - 2 * ROW_HEIGHT) props.onNearEnd?.();
        }}
      >
        {rows.total === 0 ? (
          <div class="empty">{props.empty}</div>
        ) : (
          <div class="spacer" style={{ height: `${rows.total * ROW_HEIGHT}px` }}>
            {mounted}
          </div>
        )}
        {props.foot}
      </div>
      {/* A log may not carry aria-activedescendant: the selected row is announced here instead. */}
      <p class="sr-only" aria-live="polite" data-selected-row={activeId}>
        {selectedLabel}
      </p>
    </>
  );
}

/** The selected row's accessible name, read after it is rendered (rows are virtualised). */
function useSelectedLabel(id: string | undefined): string {
  const [label, setLabel] = useState('');
  useEffect(() => {
    setLabel(id === undefined ? '' : (document.getElementById(id)?.getAttribute('aria-label') ?? ''));
  }, [id]);
  return label;
}
