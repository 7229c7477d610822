import { describe, expect, it } from 'vitest';
import { makeItem } from '../../test/make-item.js';
import { ChangeIndex } from './change-index.js';
import { compileFilter, emptyFilter } from './filters.js';
import { jsonDiff } from './json-diff.js';

const report = (action: string, builds: { job_name: string; result?: string }[] = [], extra: object = {}) =>
  makeItem({
    topic: 'zuul/openstack/check/openstack/nova/master/912345',
    type: 'zuul.report',
    data: {
      action,
      tenant: 'openstack',
      pipeline: 'check',
      project: 'openstack/nova',
      change: '912345',
      patchset: '2',
      buildset: { uuid: 'b', builds },
      ...extra,
    },
  });

describe('ChangeIndex', () => {
  it('counts attempts per pipeline, reads the time in queue and keeps the previous event for a diff', () => {
    const index = new ChangeIndex();
    const first = index.annotate(
      report('start', [], { enqueue_time: Date.parse('2026-11-25T11:58:00Z') / 1000 }),
    );
    expect(first.zuul).toMatchObject({ attempt: 1, queuedMs: 120_000, previousData: undefined });
    const failed = index.annotate(report('failure', [{ job_name: 'tempest', result: 'FAILURE' }]));
    expect(failed.zuul?.attempt).toBe(1);
    expect(failed.zuul?.previousType).toBe('start');
    const recheck = index.annotate(report('start'));
    expect(recheck.zuul?.attempt).toBe(2);
  });
});

describe('jsonDiff', () => {
  it('diffs job lists by job name and reports changed leaves', () => {
    const before = {
      action: 'start',
      buildset: {
        builds: [
          { job_name: 'a', result: null },
          { job_name: 'b', result: null },
        ],
      },
    };
    const after = {
      action: 'failure',
      buildset: {
        builds: [
          { job_name: 'b', result: 'FAILURE' },
          { job_name: 'a', result: 'SUCCESS' },
        ],
      },
    };
    expect(jsonDiff(before, after)).toEqual([
      { path: '$.action', before: 'start', after: 'failure' },
      { path: '$.buildset.builds[a].result', before: null, after: 'SUCCESS' },
      { path: '$.buildset.builds[b].result', before: null, after: 'FAILURE' },
    ]);
  });
});

describe('filters match what rows show', () => {
  const item = makeItem({
    actors: ['Burst Tester'],
    data: {
      change: { owner: { name: 'Burst Tester', username: 'burst', email: 'bt@example.org' } },
      comment: 'Needs a rebase onto the scheduler fix',
    },
  });
  const shows = (filter: Partial<typeof emptyFilter>) => compileFilter({ ...emptyFilter, ...filter })(item);
  it('user matches the display name, the username and the email', () => {
    expect(shows({ user: 'burst tester' })).toBe(true);
    expect(shows({ user: 'BURST' })).toBe(true);
    expect(shows({ user: 'bt@example' })).toBe(true);
    expect(shows({ user: 'someone else' })).toBe(false);
  });
  it('free text also looks in the payload text (the comment)', () => {
    expect(shows({ text: 'rebase scheduler' })).toBe(true);
    expect(shows({ text: 'rebase nothing-like-this' })).toBe(false);
  });
});
