import { createSimulation, type SimulatedEvent } from '@firehose/demo-publishers';
import { checkEvent, createServiceEvent, getEventType } from '@firehose/schema';
import { describe, expect, it } from 'vitest';

// The demo's simulation core is pure (seeded PRNG, no clock), so these run on simulated time.
const START = Date.UTC(2026, 10, 25, 12, 0, 0);
const MINUTE = 60_000;

/** Events of the first `minutes`; a short warm-up unless the test needs the steady state. */
function window(
  options: { seed?: number | string; rate?: number; warmup?: number },
  minutes: number,
): SimulatedEvent[] {
  return createSimulation({ start: START, warmup: 5 * MINUTE, ...options }).take(START + minutes * MINUTE);
}

// CPU-bound (tens of thousands of simulated events per test): generous timeouts for a loaded CI machine.
describe('demo simulation', { timeout: 60_000 }, () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = window({ seed: 42 }, 5);
    const b = window({ seed: 42 }, 5);
    const c = window({ seed: 43 }, 5);
    expect(a.length).toBeGreaterThan(1000);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });

  it('emits events in time order, none before the start', () => {
    const events = window({ seed: 1 }, 10);
    expect(events[0]!.time).toBeGreaterThanOrEqual(START);
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.time).toBeGreaterThanOrEqual(events[i - 1]!.time);
  });

  it('gives the same stream through next() as through take()', () => {
    const taken = window({ seed: 9 }, 3);
    const simulation = createSimulation({ seed: 9, start: START, warmup: 5 * MINUTE });
    const nexted = taken.map(() => simulation.next());
    expect(nexted).toEqual(taken);
  });

  it('produces only events that validate against @firehose/schema, with unique ids', () => {
    const events = window({ seed: 5 }, 15);
    const ids = new Set<string>();
    const services = new Set<string>();
    for (const event of events) {
      const eventType = getEventType(event.type);
      expect(eventType, event.type).toBeDefined();
      const envelope = createServiceEvent(eventType!, event.data as never, { time: new Date(event.time) });
      const result = checkEvent(event.topic, envelope);
      expect(result.status === 'valid' ? 'valid' : `${event.topic}: ${JSON.stringify(result)}`).toBe('valid');
      ids.add(envelope.id);
      services.add(event.service);
    }
    expect(ids.size).toBe(events.length);
    expect([...services].sort()).toEqual([
      'ansible',
      'gearman-logstash',
      'gearman-subunit',
      'gerrit',
      'launchpad',
      'zuul',
    ]);
  });

  it('rate 1 is about 1,000 events per minute and the multiplier scales the count', () => {
    // The default warm-up starts both in steady state.
    const normal = window({ seed: 3, rate: 1, warmup: undefined }, 20).length / 20;
    const triple = window({ seed: 3, rate: 3, warmup: undefined }, 20).length / 20;
    expect(normal).toBeGreaterThan(700);
    expect(normal).toBeLessThan(1300);
    expect(triple / normal).toBeGreaterThan(2.4);
    expect(triple / normal).toBeLessThan(3.6);
  });

  it('rejects a rate that is not a positive number', () => {
    expect(() => createSimulation({ rate: 0 })).toThrow(/positive number/);
    expect(() => createSimulation({ rate: Number.NaN })).toThrow(/positive number/);
  });

  it('covers one-level, two-level and three-level projects and percent-encodes stable branches', () => {
    const topics = window({ seed: 11 }, 60).map((e) => e.topic);
    expect(topics.some((t) => t.startsWith('gerrit/All-Projects/'))).toBe(true);
    expect(topics.some((t) => t.startsWith('gerrit/openstack/nova/'))).toBe(true);
    expect(topics.some((t) => t.startsWith('gerrit/openstack/oslo.messaging/'))).toBe(true);
    expect(topics.some((t) => t.startsWith('gerrit/x/ci/tools/'))).toBe(true);
    expect(topics.some((t) => /^zuul\/[^/]+\/[^/]+\/.+\/stable%2F[^/]+\/\d+$/.test(t))).toBe(true);
  });
});
