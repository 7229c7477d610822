import type { FirehoseEvent } from '@firehose/protocol';
import { createStreamItem, type RenderedText, type StreamItem } from '../src/model/stream-item.js';

let nextSeq = 1;

/** A rendered stream item for unit tests; only what the test cares about needs saying. */
export function makeItem(
  overrides: {
    seq?: number;
    topic?: string;
    type?: string;
    summary?: string;
    actors?: string[];
    keys?: RenderedText['keys'];
    receivedAt?: number;
    data?: unknown;
  } = {},
): StreamItem {
  const seq = overrides.seq ?? nextSeq++;
  const topic = overrides.topic ?? 'gerrit/openstack/nova/comment-added';
  const event: FirehoseEvent = {
    specversion: '1.0',
    id: `id-${seq}`,
    source: 'https://review.example.org',
    type: overrides.type ?? 'gerrit.comment-added',
    time: '2026-11-25T12:00:00Z',
    datacontenttype: 'application/json',
    dataschema: 'urn:firehose:schema:gerrit.comment-added:1',
    data: overrides.data ?? { n: seq },
  };
  return createStreamItem({
    seq,
    topic,
    event,
    rendered: {
      summary: overrides.summary ?? `event ${seq}`,
      sentence: `Event ${seq}.`,
      actors: overrides.actors ?? ['alice'],
      keys: overrides.keys ?? { project: 'openstack/nova', change: '912345' },
    },
    receivedAt: overrides.receivedAt ?? 1_000_000 + seq,
  });
}
