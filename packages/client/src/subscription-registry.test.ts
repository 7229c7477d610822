import { describe, expect, it } from 'vitest';
import { SubscriptionRegistry, type Registration } from './subscription-registry.js';

describe('SubscriptionRegistry', () => {
  it('subscribes a filter once at the highest QoS asked and unsubscribes when nobody needs it', () => {
    const registry = new SubscriptionRegistry<Registration>();
    const a: Registration = { filters: ['gerrit/#'], qos: 0 };
    const b: Registration = { filters: ['gerrit/#', 'zuul/#'], qos: 1 };
    expect(registry.add(a)).toEqual(new Map([['gerrit/#', 0]]));
    expect(registry.add(b)).toEqual(
      new Map([
        ['gerrit/#', 1],
        ['zuul/#', 1],
      ]),
    );
    expect(registry.filters()).toEqual(
      new Map([
        ['gerrit/#', 1],
        ['zuul/#', 1],
      ]),
    );
    expect(registry.remove(b)).toEqual(['zuul/#']);
    expect(registry.qosOf('gerrit/#')).toBe(0);
    expect(registry.remove(a)).toEqual(['gerrit/#']);
    expect(registry.remove(a)).toEqual([]);
  });

  it('matches each registration once per topic, and forgets cached matches when registrations change', () => {
    const registry = new SubscriptionRegistry<Registration>();
    const typed: Registration = { filters: ['gerrit/+/x', 'gerrit/+/+/x', 'gerrit/#'], qos: 1 };
    registry.add(typed);
    expect(registry.matching('gerrit/a/x')).toEqual([typed]);
    expect(registry.matching('zuul/a')).toEqual([]);
    const other: Registration = { filters: ['zuul/#'], qos: 1 };
    registry.add(other);
    expect(registry.matching('zuul/a')).toEqual([other]);
    registry.remove(typed);
    expect(registry.matching('gerrit/a/x')).toEqual([]);
  });
});
