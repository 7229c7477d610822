import type { StreamItem } from '../model/stream-item.js';
import type { StreamStore } from '../model/stream-store.js';
import type { HistoryLoader } from './history-loader.js';

/** What the stream's foot says about the archive below the rows. */
export type ArchiveState =
  | { readonly kind: 'loading' }
  /** More is there: scrolling to the bottom loads it. */
  | { readonly kind: 'more' }
  /** The archive has nothing older; `note` says why when it is not simply the start of the archive. */
  | { readonly kind: 'end'; readonly note?: string }
  | { readonly kind: 'failed'; readonly message: string };

const OFF = 'History is off for this page (?history=off).';

/**
 * Feeds the store from the broker's archive: the newest page when the page opens (so it does not
 * open empty), then one older page each time the user reaches the oldest row. One request at a
 * time; a failure is shown and retried on the next scroll.
 */
export class ArchiveFeed {
  readonly #loader: HistoryLoader | undefined;
  readonly #store: StreamStore;
  readonly #listeners = new Set<() => void>();
  #state: ArchiveState;
  #busy = false;
  /** A first page was read: from now on, pages continue below the oldest event held. */
  #started = false;
  readonly #ready: Promise<void>;

  /**
   * @param loader undefined: history is off for this page (`?history=off`).
   * @param ready no page is read before it resolves (the broker said which services it runs, so
   *   archived site events render as declared); a scroll meanwhile waits with the first load.
   */
  constructor(
    loader: HistoryLoader | undefined,
    store: StreamStore,
    ready: Promise<void> = Promise.resolve(),
  ) {
    this.#loader = loader;
    this.#store = store;
    this.#ready = ready;
    this.#state = loader === undefined ? { kind: 'end', note: OFF } : { kind: 'loading' };
  }

  get state(): ArchiveState {
    return this.#state;
  }

  get url(): string {
    return this.#loader?.url ?? '';
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The next older page, unless one is on its way or the archive is exhausted. */
  async loadOlder(): Promise<void> {
    if (this.#loader === undefined || this.#busy || this.#state.kind === 'end') return;
    const loader = this.#loader;
    this.#busy = true;
    this.#set({ kind: 'loading' });
    try {
      await this.#ready;
      // The first page is the archive's newest, whatever live events came in meanwhile: they overlap it
      // and the store keeps one of each.
      const page = await loader.page(this.#started ? this.#store.oldest() : undefined);
      this.#started = true;
      this.#store.prependArchived(page.items);
      this.#set(page.more ? { kind: 'more' } : { kind: 'end' });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#set(
        (error as { code?: unknown }).code === 'HISTORY_OFF'
          ? { kind: 'end', note: 'This broker keeps no history.' }
          : { kind: 'failed', message },
      );
    } finally {
      this.#busy = false;
    }
  }

  /** One event for a permalink, or the sentence saying why it cannot be read. */
  async event(cursorOrId: string): Promise<StreamItem | { readonly problem: string }> {
    if (this.#loader === undefined) return { problem: OFF };
    try {
      return await this.#loader.event(cursorOrId);
    } catch (error) {
      return { problem: error instanceof Error ? error.message : String(error) };
    }
  }

  #set(state: ArchiveState): void {
    this.#state = state;
    for (const listener of this.#listeners) listener();
  }
}
