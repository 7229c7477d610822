import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EventType } from '@firehose/schema';

export interface Fixture {
  params: Record<string, string>;
  data: Record<string, unknown>;
}

const root = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** The realistic fixture of an event type: `fixtures/<service>/<event>.json`. */
export function loadFixture(eventType: Pick<EventType, 'service' | 'event'>): Fixture {
  return JSON.parse(readFileSync(`${root}${eventType.service}/${eventType.event}.json`, 'utf8')) as Fixture;
}
