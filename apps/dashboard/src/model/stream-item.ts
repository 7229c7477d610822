import type { FirehoseEvent } from '@firehose/protocol';
import { peopleOf } from '@firehose/schema';

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
  /** Lower-cased text the free-text filter searches: topic, type, summary, actors, keys, payload text. */
  readonly search: string;
  /** Lower-cased names, usernames and emails of everyone the event mentions: what the User filter matches. */
  readonly people: string;
  /** For Zuul reports: attempt, time in queue and the previous event of the same change (set on arrival). */
  readonly zuul?: ZuulContext | undefined;
  /** The broker archive's cursor, for events read from history (live MQTT events have none). */
  readonly cursor?: string | undefined;
}

/** What a Zuul row adds from the events before it (see `ChangeIndex`). */
export interface ZuulContext {
  /** 1 for the first run of this change and patchset in this pipeline, 2 after a recheck, … */
  readonly attempt: number;
  /** Milliseconds since the item was enqueued, when known. */
  readonly queuedMs: number | undefined;
  /** The data of the previous Zuul event of the same change, for the detail pane's diff. */
  readonly previousData: unknown;
  readonly previousType: string | undefined;
}

/** Payload text the free-text search also looks at (comment, subject, commit message…), bounded. */
const PAYLOAD_TEXT_LIMIT = 4000;

function payloadText(data: unknown): string {
  const parts: string[] = [];
  let length = 0;
  const visit = (value: unknown, depth: number): void => {
    if (length >= PAYLOAD_TEXT_LIMIT || depth > 6) return;
    if (typeof value === 'string') {
      parts.push(value);
      length += value.length;
    } else if (Array.isArray(value)) {
      for (const element of value) visit(element, depth + 1);
    } else if (value !== null && typeof value === 'object') {
      for (const nested of Object.values(value as Record<string, unknown>)) visit(nested, depth + 1);
    }
  };
  visit(data, 0);
  return parts.join('\n').slice(0, PAYLOAD_TEXT_LIMIT);
}

/** Inputs for {@link createStreamItem}; split out so tests can build items without a broker. */
export interface StreamItemInput {
  readonly seq: number;
  readonly topic: string;
  readonly event: FirehoseEvent;
  readonly rendered: RenderedText;
  readonly receivedAt: number;
  readonly cursor?: string | undefined;
}

export function createStreamItem(input: StreamItemInput): StreamItem {
  const { topic, event, rendered } = input;
  const slash = topic.indexOf('/');
  const service = slash === -1 ? topic : topic.slice(0, slash);
  const parsed = Date.parse(event.time);
  const keyText = Object.values(rendered.keys)
    .filter((value): value is string => typeof value === 'string')
    .join(' ');
  const people = [...rendered.actors, ...peopleOf(event.data)].join('\n').toLowerCase();
  const search = [
    topic,
    event.type,
    rendered.summary,
    rendered.actors.join(' '),
    keyText,
    event.subject ?? '',
    payloadText(event.data),
  ]
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
    people,
    ...(input.cursor === undefined ? {} : { cursor: input.cursor }),
  };
}
