import { describe, expect, it } from 'vitest';
import { makeItem } from '../../test/make-item.js';
import { emptyFilter } from './filters.js';
import { StreamStore } from './stream-store.js';

const batch = (from: number, to: number, topic = 'gerrit/openstack/nova/comment-added') =>
  Array.from({ length: to - from + 1 }, (_, index) =>
    makeItem({ seq: from + index, topic, keys: { project: 'openstack/nova', change: String(from + index) } }),
  );

describe('StreamStore', () => {
  it('counts every event received while retaining at most its capacity', () => {
    const store = new StreamStore({ capacity: 100 });
    store.ingest(batch(1, 250));
    const counts = store.counts();
    expect(counts.received).toBe(250);
    expect(counts.retained).toBe(100);
    expect(counts.shown).toBe(100);
    expect(store.view.length).toBe(100);
    expect(store.view.newest(0)!.id).toBe(250);
    expect(counts.perService.get('gerrit')).toBe(250);
  });

  it('freezes rows while paused, counts matching new events, and catches up on resume', () => {
    const store = new StreamStore({ capacity: 1_000 });
    store.ingest(batch(1, 10));
    store.pause();
    store.ingest(batch(11, 30));
    expect(store.view.newest(0)!.id).toBe(10);
    expect(store.counts().newWhilePaused).toBe(20);
    expect(store.counts().received).toBe(30);
    store.resume();
    expect(store.paused).toBe(false);
    expect(store.counts().newWhilePaused).toBe(0);
    expect(store.view.newest(0)!.id).toBe(30);
    expect(store.counts().shown).toBe(30);
  });

  it('applies a filter to old and new rows, and to the paused count', () => {
    const store = new StreamStore({ capacity: 1_000 });
    store.ingest(batch(1, 5, 'gerrit/openstack/nova/comment-added'));
    store.ingest(batch(6, 8, 'zuul/t/check/openstack/nova/master/6'));
    store.setFilter({ ...emptyFilter, services: ['zuul'] });
    expect(store.counts().shown).toBe(3);
    store.ingest(batch(9, 9, 'zuul/t/check/openstack/nova/master/9'));
    store.ingest(batch(10, 10, 'gerrit/openstack/nova/comment-added'));
    expect(store.counts().shown).toBe(4);
    store.pause();
    store.ingest(batch(11, 12, 'zuul/t/gate/openstack/nova/master/11'));
    store.ingest(batch(13, 13, 'gerrit/x/comment-added'));
    expect(store.counts().newWhilePaused).toBe(2);
    store.setFilter(emptyFilter);
    expect(store.counts().newWhilePaused).toBe(3);
    expect(store.counts().shown).toBe(10);
  });

  it('notifies listeners once per batch', () => {
    const store = new StreamStore();
    let calls = 0;
    store.subscribe(() => (calls += 1));
    store.ingest(batch(1, 500));
    expect(calls).toBe(1);
  });

  it('shows archived pages below the live rows, once each, even while paused', () => {
    const store = new StreamStore({ capacity: 100 });
    store.ingest(batch(1, 3));
    // The first page of history overlaps the live subscription at the seam (seq 1 is both).
    const overlap = makeItem({ seq: 1 });
    store.prependArchived([...batch(-2, -1), overlap]);
    expect(store.counts()).toMatchObject({ received: 3, archived: 2, shown: 5 });
    expect(store.view.newest(4)!.id).toBe(-2);
    expect(store.oldest()!.seq).toBe(-2);
    store.pause();
    store.prependArchived(batch(-4, -3));
    expect(store.counts().shown).toBe(7);
    expect(store.view.newest(6)!.id).toBe(-4);
    // A live event also in an archived page (published while the page was read) is not shown twice.
    store.resume();
    store.ingest([makeItem({ seq: 4, data: {} }), { ...makeItem({ seq: 5 }), event: overlap.event }]);
    expect(store.counts().shown).toBe(8);
  });

  it('drops the archived rows once the live buffer evicts, so no hole opens between them', () => {
    const store = new StreamStore({ capacity: 10 });
    store.ingest(batch(1, 10));
    store.prependArchived(batch(-5, -1));
    expect(store.counts().shown).toBe(15);
    store.ingest(batch(11, 11));
    expect(store.counts()).toMatchObject({ archived: 0, retained: 10, shown: 10 });
    expect(store.oldest()!.seq).toBe(2);
  });
});
