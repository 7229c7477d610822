import type { EventType } from '@firehose/schema';
import type { SimulatedEvent } from './simulated-event.js';

/**
 * The events one story plans, each at its own time. Topics come from the schema's own templates,
 * and `data` is typed by the schema, so the compiler keeps the simulation honest.
 */
export class Timeline {
  readonly events: SimulatedEvent[] = [];

  emit<D, P extends Record<string, string>>(eventType: EventType<D, P>, params: P, data: D, time: number): void {
    this.events.push({
      time: Math.round(time),
      topic: eventType.topic(params),
      type: eventType.type,
      service: eventType.service,
      data,
    });
  }
}

/** Gerrit and Zuul stamp events in whole seconds since the epoch. */
export function epochSeconds(time: number): number {
  return Math.floor(time / 1000);
}
