import { pick, text } from './data-access.js';
import type { StreamItem, ZuulContext } from './stream-item.js';

/** Changes remembered; the oldest is forgotten beyond this (memory stays bounded under a firehose). */
const CAPACITY = 5000;

interface ChangeState {
  /** Runs started per pipeline for this change and patchset. */
  readonly starts: Map<string, number>;
  previousData: unknown;
  previousType: string | undefined;
}

/**
 * Remembers, per Zuul change and patchset, how many runs each pipeline started and the last event,
 * so each arriving Zuul report can show its attempt number, its time in queue and a diff against
 * the previous event of the same change. Only the previous event's data is kept, never the item,
 * so evicted items are not held in memory through a chain.
 */
export class ChangeIndex {
  readonly #changes = new Map<string, ChangeState>();

  /** The item with its `zuul` context, or the item itself for other services. */
  annotate(item: StreamItem): StreamItem {
    if (item.service !== 'zuul') return item;
    const data = item.event.data;
    const change = text(pick(data, 'change'));
    if (!change || change === '-') return item;
    const key = `${text(pick(data, 'tenant')) ?? ''}/${text(pick(data, 'project')) ?? ''}/${change}/${text(pick(data, 'patchset')) ?? ''}`;
    let state = this.#changes.get(key);
    if (state) this.#changes.delete(key);
    else state = { starts: new Map(), previousData: undefined, previousType: undefined };
    this.#changes.set(key, state);
    if (this.#changes.size > CAPACITY) this.#changes.delete(this.#changes.keys().next().value as string);

    const pipeline = text(pick(data, 'pipeline')) ?? '';
    if (pick(data, 'action') === 'start') state.starts.set(pipeline, (state.starts.get(pipeline) ?? 0) + 1);
    const enqueued = pick(data, 'enqueue_time');
    // Zuul sends seconds since the epoch (a float); accept milliseconds too.
    const enqueuedMs =
      typeof enqueued === 'number' && enqueued > 0
        ? enqueued < 1e12
          ? enqueued * 1000
          : enqueued
        : undefined;
    const context: ZuulContext = {
      attempt: Math.max(1, state.starts.get(pipeline) ?? 1),
      queuedMs: enqueuedMs === undefined ? undefined : Math.max(0, item.eventTime - enqueuedMs),
      previousData: state.previousData,
      previousType: state.previousType,
    };
    state.previousData = data;
    state.previousType = pick(data, 'action') === undefined ? undefined : String(pick(data, 'action'));
    return { ...item, zuul: context };
  }
}
