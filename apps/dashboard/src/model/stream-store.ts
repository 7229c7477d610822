import { compileFilter, emptyFilter, type FilterState } from './filters.js';
import { RetentionBuffer } from './retention-buffer.js';
import type { StreamItem } from './stream-item.js';
import { StreamView } from './stream-view.js';

export interface StreamStoreOptions {
  /** How many events are kept. @default 10_000 */
  readonly capacity?: number;
  /** @default emptyFilter */
  readonly filter?: FilterState;
  /** Collapse bursts of events for one change into one row. @default true */
  readonly grouping?: boolean;
}

/** Numbers the UI shows; they always add up to what was received. */
export interface StreamCounts {
  /** Every event received since the page opened. */
  readonly received: number;
  /** Received per service (first topic level). */
  readonly perService: ReadonlyMap<string, number>;
  /** Held in the retention buffer. */
  readonly retained: number;
  /** Events in the visible rows (after filter). */
  readonly shown: number;
  /** Matching events that arrived while paused. */
  readonly newWhilePaused: number;
  /** Events read from the broker's archive (older than the live ones), held beside the retained ones. */
  readonly archived: number;
}

/**
 * The stream's state: retention buffer, filter, pause, counts. Fed one batch per animation
 * frame by {@link FrameBatcher}; listeners are told once per batch.
 */
export class StreamStore {
  readonly #buffer: RetentionBuffer<StreamItem>;
  readonly #listeners = new Set<() => void>();
  readonly #perService = new Map<string, number>();
  /**
   * Events from the broker's archive, older than everything in the buffer, oldest first. Their seqs
   * are negative (counting down as older pages arrive), so one seq order runs from the oldest page
   * through the live events.
   */
  #archived: StreamItem[] = [];
  /** `source id` of every event held, so an event both archived and received live is shown once. */
  readonly #held = new Set<string>();
  #filter: FilterState;
  #grouping: boolean;
  #view: StreamView;
  #received = 0;
  /** Highest seq the view includes while paused; undefined when live. */
  #pausedAt: number | undefined;
  #lastSeq = 0;
  #newWhilePaused = 0;
  #version = 0;
  #lastBatchSize = 0;

  constructor(options: StreamStoreOptions = {}) {
    this.#buffer = new RetentionBuffer(options.capacity ?? 10_000);
    this.#filter = options.filter ?? emptyFilter;
    this.#grouping = options.grouping ?? true;
    this.#view = new StreamView({ predicate: compileFilter(this.#filter), grouping: this.#grouping });
  }

  /** Changes on every update; cheap for components to compare. */
  get version(): number {
    return this.#version;
  }

  get view(): StreamView {
    return this.#view;
  }

  get filter(): FilterState {
    return this.#filter;
  }

  get grouping(): boolean {
    return this.#grouping;
  }

  get paused(): boolean {
    return this.#pausedAt !== undefined;
  }

  /** Events in the latest batch: a busy stream hands over many per commit. */
  get lastBatchSize(): number {
    return this.#lastBatchSize;
  }

  get capacity(): number {
    return this.#buffer.capacity;
  }

  counts(): StreamCounts {
    return {
      received: this.#received,
      perService: new Map(this.#perService),
      retained: this.#buffer.size,
      shown: this.#view.itemCount,
      newWhilePaused: this.#newWhilePaused,
      archived: this.#archived.length,
    };
  }

  /** Retained events, oldest first. */
  retained(): StreamItem[] {
    return this.#buffer.toArray();
  }

  /** The oldest event held (archived or live): where the next older page of history starts. */
  oldest(): StreamItem | undefined {
    return this.#archived[0] ?? this.#buffer.at(0);
  }

  /** Whether an event with this CloudEvents source and id is held. */
  holds(item: Pick<StreamItem, 'event'>): boolean {
    return this.#held.has(identity(item));
  }

  /**
   * Adds a page of archived events older than everything held (oldest first, seqs below every held
   * one). The rows are rebuilt even while paused: the user is scrolling down to them. Events already
   * held (the archive and the live subscription overlap where they meet) are skipped.
   */
  prependArchived(items: readonly StreamItem[]): void {
    const fresh = items.filter((item) => !this.holds(item));
    if (fresh.length === 0) return;
    for (const item of fresh) {
      this.#held.add(identity(item));
      this.#perService.set(item.service, (this.#perService.get(item.service) ?? 0) + 1);
    }
    this.#archived = [...fresh, ...this.#archived];
    this.#rebuild();
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Takes one frame's worth of events, oldest first. */
  ingest(batch: readonly StreamItem[]): void {
    if (batch.length === 0) return;
    this.#lastBatchSize = batch.length;
    let evictedThrough = 0;
    for (const item of batch) {
      const key = identity(item);
      // Already shown from the archive (it was published while the page read history).
      if (this.#held.has(key)) continue;
      this.#held.add(key);
      this.#received += 1;
      this.#perService.set(item.service, (this.#perService.get(item.service) ?? 0) + 1);
      this.#lastSeq = Math.max(this.#lastSeq, item.seq);
      const evicted = this.#buffer.push(item);
      if (evicted) {
        evictedThrough = evicted.seq;
        this.#held.delete(identity(evicted));
        // The archive is only shown while it joins the buffer without a hole: it goes with the first eviction.
        if (this.#archived.length > 0) this.#dropArchived();
      }
      if (this.#pausedAt === undefined) {
        if (evictedThrough) this.#view.evictThrough(evictedThrough);
        this.#view.append(item);
      } else if (this.#view.predicate(item)) {
        this.#newWhilePaused += 1;
      }
    }
    this.#changed();
  }

  /** Freezes the rows (scrolled away, or the pause control); events keep being received. */
  pause(): void {
    if (this.#pausedAt !== undefined) return;
    this.#pausedAt = this.#lastSeq;
    this.#newWhilePaused = 0;
    this.#changed();
  }

  /** Back to the live edge: the rows catch up with everything retained. */
  resume(): void {
    if (this.#pausedAt === undefined) return;
    this.#pausedAt = undefined;
    this.#newWhilePaused = 0;
    this.#rebuild();
  }

  setFilter(filter: FilterState): void {
    this.#filter = filter;
    this.#rebuild();
  }

  setGrouping(grouping: boolean): void {
    this.#grouping = grouping;
    this.#rebuild();
  }

  /** Forgets retained and archived events (counters of what was received stay). */
  clear(): void {
    this.#buffer.clear();
    this.#archived = [];
    this.#held.clear();
    this.#rebuild();
  }

  #dropArchived(): void {
    for (const item of this.#archived) this.#held.delete(identity(item));
    // Live, the eviction below drops the archived rows too (their seqs are lower); paused, the
    // frozen rows stay until resume rebuilds them.
    this.#archived = [];
  }

  #rebuild(): void {
    const view = new StreamView({ predicate: compileFilter(this.#filter), grouping: this.#grouping });
    const pausedAt = this.#pausedAt;
    let fresh = 0;
    if (pausedAt === undefined) {
      view.rebuild([...this.#archived, ...this.#buffer]);
    } else {
      const before: StreamItem[] = [...this.#archived];
      for (const item of this.#buffer) {
        if (item.seq <= pausedAt) before.push(item);
        else if (view.predicate(item)) fresh += 1;
      }
      view.rebuild(before);
    }
    this.#view = view;
    this.#newWhilePaused = fresh;
    this.#changed();
  }

  #changed(): void {
    this.#version += 1;
    for (const listener of this.#listeners) listener();
  }
}

/** The CloudEvents dedupe key (docs/architecture.md#messages): `source` + `id`. */
function identity(item: Pick<StreamItem, 'event'>): string {
  return `${item.event.source} ${item.event.id}`;
}
