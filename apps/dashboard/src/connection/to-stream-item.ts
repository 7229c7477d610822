import type { ReceivedEvent } from '@firehose/client';
import { render } from '@firehose/schema';
import { createStreamItem, type RenderedText, type StreamItem } from '../model/stream-item.js';

/** Renders a received event once, with the schema's shared texts (same as the CLI shows). */
export function toStreamItem(received: ReceivedEvent, seq: number): StreamItem {
  let rendered: RenderedText;
  try {
    rendered = render(received.event);
  } catch {
    // render() promises a generic fallback; this guards the stream against a bad template anyway.
    rendered = {
      summary: `${received.event.type} on ${received.topic}`,
      sentence: received.event.type,
      actors: [],
      keys: {},
    };
  }
  return createStreamItem({
    seq,
    topic: received.topic,
    event: received.event,
    rendered,
    receivedAt: received.receivedAt.getTime(),
  });
}
