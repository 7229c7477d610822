import type { EventType } from '@firehose/schema';
import type { SimulatedEvent } from './simulated-event.js';

/**
 * A story: a generator that emits events into the timeline and yields the simulated time at which
 * it wants to continue. Everything it emits after resuming at time T happens at or after T, so
 * the simulation only holds each running story's current step in memory, not its whole future.
 */
export type Story = Generator<number, void, void>;

/**
 * Where stories put what they plan. Topics come from the schema's own templates and `data` is
 * typed by the schema, so the compiler keeps the simulation honest. The simulation drains it
 * after every story step.
 */
export class Timeline {
  private events: SimulatedEvent[] = [];
  private stories: Story[] = [];

  emit<D, P extends Record<string, string>>(
    eventType: EventType<D, P>,
    params: P,
    data: D,
    time: number,
  ): void {
    this.events.push({
      time: Math.round(time),
      topic: eventType.topic(params),
      type: eventType.type,
      service: eventType.service,
      data,
    });
  }

  /** Starts another story running in parallel (e.g. a post pipeline beside promote). */
  spawn(story: Story): void {
    this.stories.push(story);
  }

  /** Takes what was emitted and spawned since the last drain. */
  drain(): { events: SimulatedEvent[]; stories: Story[] } {
    const drained = { events: this.events, stories: this.stories };
    this.events = [];
    this.stories = [];
    return drained;
  }
}

/** Gerrit and Zuul stamp events in whole seconds since the epoch. */
export function epochSeconds(time: number): number {
  return Math.floor(time / 1000);
}
