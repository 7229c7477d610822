import type { FirehoseEvent } from '@firehose/protocol';

/** What the schema's `render()` gives the dashboard (the `Rendered` contract of `@firehose/schema`). */
export interface RenderedText {
  readonly summary: string;
  readonly sentence: string;
  readonly url?: string | undefined;
  readonly actors: readonly string[];
  readonly keys: Readonly<Record<string, string | undefined>>;
}

/** One received message, rendered once on arrival and then only read. */
export interface StreamItem {
  /** Arrival order, 1-based and never reused: the key for selection, eviction and pause. */
  readonly seq: number;
  readonly topic: string;
  /** First topic level: the publishing service. */
  readonly service: string;
  readonly event: FirehoseEvent;
  readonly rendered: RenderedText;
  /** Milliseconds since the epoch when the dashboard received it. */
  readonly receivedAt: number;
  /** Milliseconds since the epoch of the envelope's `time` (receivedAt when unparsable). */
  readonly eventTime: number;
  /** Lower-cased text the free-text filter searches: topic, type, summary, actors, keys. */
  readonly search: string;
}

/** Inputs for {@link createStreamItem}; split out so tests can build items without a broker. */
export interface StreamItemInput {
  readonly seq: number;
  readonly topic: string;
  readonly event: FirehoseEvent;
  readonly rendered: RenderedText;
  readonly receivedAt: number;
}

export function createStreamItem(input: StreamItemInput): StreamItem {
  const { topic, event, rendered } = input;
  const slash = topic.indexOf('/');
  const service = slash === -1 ? topic : topic.slice(0, slash);
  const parsed = Date.parse(event.time);
  const keyText = Object.values(rendered.keys)
    .filter((value): value is string => typeof value === 'string')
    .join(' ');
  const search = [topic, event.type, rendered.summary, rendered.actors.join(' '), keyText, event.subject ?? '']
    .join('\n')
    .toLowerCase();
  return {
    seq: input.seq,
    topic,
    service,
    event,
    rendered,
    receivedAt: input.receivedAt,
    eventTime: Number.isFinite(parsed) ? parsed : input.receivedAt,
    search,
  };
}
