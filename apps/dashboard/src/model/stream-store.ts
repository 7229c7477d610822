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
}

/**
 * The stream's state: retention buffer, filter, pause, counts. Fed one batch per animation
 * frame by {@link FrameBatcher}; listeners are told once per batch.
 */
export class StreamStore {
  readonly #buffer: RetentionBuffer<StreamItem>;
  readonly #listeners = new Set<() => void>();
  readonly #perService = new Map<string, number>();
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
    };
  }

  /** Retained events, oldest first. */
  retained(): StreamItem[] {
    return this.#buffer.toArray();
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
      this.#received += 1;
      this.#perService.set(item.service, (this.#perService.get(item.service) ?? 0) + 1);
      this.#lastSeq = Math.max(this.#lastSeq, item.seq);
      const evicted = this.#buffer.push(item);
      if (evicted) evictedThrough = evicted.seq;
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

  /** Forgets retained events (counters of what was received stay). */
  clear(): void {
    this.#buffer.clear();
    this.#rebuild();
  }

  #rebuild(): void {
    const view = new StreamView({ predicate: compileFilter(this.#filter), grouping: this.#grouping });
    const pausedAt = this.#pausedAt;
    let fresh = 0;
    if (pausedAt === undefined) {
      view.rebuild(this.#buffer);
    } else {
      const before: StreamItem[] = [];
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
