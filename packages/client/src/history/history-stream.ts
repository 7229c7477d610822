import { Emitter } from '../emitter.js';
import type { HistoryState, HistoryStreamEvents } from './history-types.js';

/** What a stream's producer gets to report with. */
export interface StreamControl {
  readonly signal: AbortSignal;
  setState(state: HistoryState): void;
  emit<K extends keyof HistoryStreamEvents>(event: K, ...args: Parameters<HistoryStreamEvents[K]>): void;
}

/**
 * The async iterable `history()` returns. Iterating pulls from the network: a slow loop slows the
 * read (and, live, the broker cuts a reader too slow for its queue; the stream then resumes from
 * its last cursor), so nothing is buffered without bound and nothing is dropped.
 *
 * `cursor` is the cursor of the last event the loop received: save it, and pass it as `since` to
 * continue exactly after it. Breaking the loop, `return()` or aborting the signal closes the stream.
 */
export class HistoryStream<T extends { readonly cursor: string }>
  extends Emitter<HistoryStreamEvents>
  implements AsyncIterableIterator<T>
{
  private last: string | undefined;
  private currentState: HistoryState = 'connecting';
  private readonly controller = new AbortController();
  private readonly generator: AsyncGenerator<T, void, undefined>;
  private readonly onAbort = (): void => void this.return();

  /** @internal */
  constructor(
    produce: (control: StreamControl) => AsyncGenerator<T, void, undefined>,
    private readonly outerSignal: AbortSignal | undefined,
    onListenerError?: (error: unknown) => void,
  ) {
    super(onListenerError);
    const control: StreamControl = {
      signal: this.controller.signal,
      setState: (state) => this.setState(state),
      emit: (event, ...args) => this.emit(event, ...args),
    };
    this.generator = produce(control);
    if (outerSignal?.aborted) this.controller.abort();
    else outerSignal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Cursor of the last event handed to the loop; `undefined` before the first. */
  get cursor(): string | undefined {
    return this.last;
  }

  get state(): HistoryState {
    return this.currentState;
  }

  private setState(state: HistoryState): void {
    const previous = this.currentState;
    if (previous === state || previous === 'closed') return;
    this.currentState = state;
    this.emit('state', state, previous);
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    if (this.controller.signal.aborted) return this.finish();
    try {
      const result = await this.generator.next();
      if (result.done === true) return this.finish();
      this.last = result.value.cursor;
      return result;
    } catch (error) {
      this.finish();
      if (this.controller.signal.aborted) return { done: true, value: undefined };
      throw error;
    }
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    this.controller.abort();
    // Ends the producer's read at its next await (the abort rejects it) and runs its finally blocks.
    await this.generator.return(undefined).catch(() => undefined);
    return this.finish();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): IteratorResult<T, undefined> {
    this.outerSignal?.removeEventListener('abort', this.onAbort);
    this.setState('closed');
    return { done: true, value: undefined };
  }
}
