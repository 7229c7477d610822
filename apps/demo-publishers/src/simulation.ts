import { FirehoseError } from '@firehose/protocol';
import { ansibleStory } from './ansible-story.js';
import { bugStory } from './bug-story.js';
import { changeStory } from './change-story.js';
import { EventQueue } from './event-queue.js';
import { infraStory } from './infra-story.js';
import type { SimulatedEvent } from './simulated-event.js';
import { Timeline, type Story } from './timeline.js';
import { World } from './world.js';

export interface SimulationOptions {
  /** PRNG seed: the same seed and start give the same events. @default 1 */
  seed?: number | string;
  /**
   * Traffic multiplier. 1 ≈ the OpenStack firehose's normal ~1,000 messages per minute; 100 is a
   * load test. Stories arrive `rate` times as often; each story keeps its realistic pace.
   * @default 1
   */
  rate?: number;
  /** Simulated time of the first event, epoch milliseconds or a Date. @default Date.now() */
  start?: number | Date;
  /**
   * How long stories have already been running at `start`, in milliseconds, so the stream starts
   * in steady state (mid-review changes, running builds) instead of ramping up. Events before
   * `start` are dropped. @default 20 minutes (≈ 7 s of work at rate 100), shortened in proportion
   * above rate 100
   */
  warmup?: number;
}

/** An endless, time-ordered stream of simulated events. Pure: no I/O, no clock, no global state. */
export interface Simulation extends Iterable<SimulatedEvent> {
  /** Simulated time of the stream's start, epoch milliseconds. */
  readonly start: number;
  /** The next event (the stream never ends). */
  next(): SimulatedEvent;
  /** All events up to and including `until` (epoch ms) not returned yet, in time order. */
  take(until: number): SimulatedEvent[];
}

interface StoryKind {
  readonly story: (world: World, timeline: Timeline, start: number) => Story;
  /** Mean gap between two stories of this kind at rate 1, in ms (Poisson arrivals). */
  readonly meanGap: number;
}

// Calibrated so rate 1 gives ≈ 1,000 events per minute, with the mix of the OpenStack firehose:
// log processing and playbook task results dominate; Gerrit and Zuul carry the stories.
const KINDS: readonly StoryKind[] = [
  { story: changeStory, meanGap: 11_000 },
  { story: bugStory, meanGap: 60_000 },
  { story: ansibleStory, meanGap: 8_500 },
  { story: infraStory, meanGap: 30_000 },
];

const MINUTE = 60_000;
/** Long enough for the longest stories to be under way at the start (steady state from the first minute). */
const DEFAULT_WARMUP = 20 * MINUTE;
/** Above this rate the warm-up shrinks in proportion, so start-up work stays bounded. */
const WARMUP_RATE = 100;

/** The queue holds planned events and stories waiting to continue, both by time. */
type Entry =
  | { readonly time: number; readonly event: SimulatedEvent }
  | { readonly time: number; readonly story: Story };

class SeededSimulation implements Simulation {
  readonly start: number;
  private readonly world: World;
  private readonly rate: number;
  private readonly timeline = new Timeline();
  private readonly queue = new EventQueue<Entry>();
  private readonly arrivals: number[];

  constructor(options: SimulationOptions) {
    const rate = options.rate ?? 1;
    if (!Number.isFinite(rate) || rate <= 0) {
      throw new FirehoseError(
        'INVALID_CONFIG',
        `The rate multiplier must be a positive number; got ${String(rate)}. Use 1 for normal traffic.`,
        { path: 'rate' },
      );
    }
    this.rate = rate;
    this.world = new World(options.seed ?? 1);
    const start = options.start ?? Date.now();
    this.start = typeof start === 'number' ? start : start.getTime();
    const warmup = options.warmup ?? DEFAULT_WARMUP * Math.min(1, WARMUP_RATE / rate);
    this.arrivals = KINDS.map((kind) => this.start - warmup + this.gap(kind));
  }

  private gap(kind: StoryKind): number {
    return this.world.rng.exponential(kind.meanGap / this.rate);
  }

  /** Index of the kind whose next story arrives first (ties: the first kind, so order is stable). */
  private nextKind(): number {
    let best = 0;
    for (let i = 1; i < this.arrivals.length; i++)
      if ((this.arrivals[i] as number) < (this.arrivals[best] as number)) best = i;
    return best;
  }

  /** Runs one step of a story, then queues what it emitted (before the start: dropped) and its continuation. */
  private step(story: Story): void {
    const result = story.next();
    const { events, stories } = this.timeline.drain();
    for (const event of events) if (event.time >= this.start) this.queue.push({ time: event.time, event });
    if (!result.done) this.queue.push({ time: result.value, story });
    for (const spawned of stories) this.step(spawned);
  }

  /** Starts the next arriving story. */
  private arrive(): void {
    const index = this.nextKind();
    const kind = KINDS[index] as StoryKind;
    const arrival = this.arrivals[index] as number;
    this.step(kind.story(this.world, this.timeline, arrival));
    this.arrivals[index] = arrival + this.gap(kind);
  }

  /**
   * The next queued event no later than `until`, after running every story step and arrival due
   * before it: a story only emits at or after the time it runs, so the head is then final.
   */
  private advance(until: number): SimulatedEvent | undefined {
    for (;;) {
      const head = this.queue.peekTime();
      if ((this.arrivals[this.nextKind()] as number) <= Math.min(head, until)) {
        this.arrive();
        continue;
      }
      if (head > until) return undefined;
      const entry = this.queue.pop() as Entry;
      if ('story' in entry) this.step(entry.story);
      else return entry.event;
    }
  }

  next(): SimulatedEvent {
    return this.advance(Infinity) as SimulatedEvent;
  }

  take(until: number): SimulatedEvent[] {
    const out: SimulatedEvent[] = [];
    for (let event = this.advance(until); event !== undefined; event = this.advance(until)) out.push(event);
    return out;
  }

  *[Symbol.iterator](): Iterator<SimulatedEvent> {
    for (;;) yield this.next();
  }
}

/** Creates a deterministic simulation of a busy infrastructure's events. */
export function createSimulation(options: SimulationOptions = {}): Simulation {
  return new SeededSimulation(options);
}
