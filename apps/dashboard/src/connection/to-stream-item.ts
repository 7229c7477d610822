import type { ReceivedEvent } from '@firehose/client';
import { render, type Catalogue } from '@firehose/schema';
import { createStreamItem, type RenderedText, type StreamItem } from '../model/stream-item.js';

/**
 * Renders a received event once, with the schema's shared texts (same as the CLI shows): by the
 * render rules `catalogue` declares for its type, a site's own services' included.
 */
export function toStreamItem(received: ReceivedEvent, seq: number, catalogue: Catalogue): StreamItem {
  let rendered: RenderedText;
  try {
    rendered = render(received.event, { catalogue });
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
