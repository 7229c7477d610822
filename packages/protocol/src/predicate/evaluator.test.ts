import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePredicate } from './compile-predicate.js';

const event = {
  type: 'gerrit.comment-added',
  subject: 'openstack/nova/change/912345',
  topic: 'gerrit/openstack/nova/comment-added',
  params: { project: 'openstack/nova' },
  data: {
    change: { project: 'openstack/nova', branch: 'master', number: 912345, private: false },
    approvals: [
      { type: 'Code-Review', value: '-2' },
      { type: 'Verified', value: 1 },
    ],
    comment: 'Patch Set 3: Code-Review-2\n\nPlease split this.',
    tags: ['a', 'b'],
    nothing: null,
  },
};

const holds = (source: string, value: unknown = event): boolean => compilePredicate(source)(value);

describe('compilePredicate', () => {
  it('compares paths with = and !=', () => {
    expect(holds('data.change.branch = master')).toBe(true);
    expect(holds('data.change.branch = stable/2024.1')).toBe(false);
    expect(holds('data.change.branch != master')).toBe(false);
    expect(holds('params.project = "openstack/nova"')).toBe(true);
    expect(holds('topic = gerrit/openstack/nova/comment-added')).toBe(true);
  });

  it('compares numbers and numeric strings by their text', () => {
    expect(holds('data.change.number = 912345')).toBe(true);
    expect(holds('data.change.number = "912345"')).toBe(true);
    expect(holds('data.approvals[].value = -2')).toBe(true); // upstream sent "-2"
    expect(holds('data.approvals[].value = 2')).toBe(false);
    expect(holds('data.change.private = false')).toBe(true);
    expect(holds('data.nothing = null')).toBe(true);
    expect(holds('data.change.number = null')).toBe(false);
  });

  it('[] holds when some element matches; != holds when none does', () => {
    expect(holds('data.approvals[].type = Verified')).toBe(true);
    expect(holds('data.approvals[].type = Workflow')).toBe(false);
    expect(holds('data.approvals[].type != Workflow')).toBe(true);
    expect(holds('data.approvals[].type != Verified')).toBe(false);
    expect(holds('data.approvals[1].value = 1')).toBe(true);
    expect(holds('data.approvals[2].value = 1')).toBe(false);
    expect(holds('data.tags[] = b')).toBe(true);
    // [] on something that is not an array reaches nothing.
    expect(holds('data.change[] = master')).toBe(false);
  });

  it('treats a missing path as reaching nothing', () => {
    expect(holds('data.missing.deeper = 1')).toBe(false);
    expect(holds('data.missing.deeper != 1')).toBe(true);
    expect(holds('data.missing')).toBe(false);
    expect(holds('not data.missing')).toBe(true);
    expect(holds('x = 1', null)).toBe(false);
    expect(holds('x = 1', 'a string')).toBe(false);
    // Own properties only, never the prototype chain.
    expect(holds('data.constructor')).toBe(false);
    // A key on an array is not implied to mean every element: that is what [] says.
    expect(holds('data.approvals.type = Verified')).toBe(false);
  });

  it('matches regexes with ~ and !~', () => {
    expect(holds('data.comment ~ /code-review-2/i')).toBe(true);
    expect(holds('data.comment ~ /code-review-2/')).toBe(false);
    expect(holds('data.comment ~ "^Patch Set \\\\d+"')).toBe(true);
    expect(holds('subject ~ nova')).toBe(true);
    expect(holds('subject !~ neutron')).toBe(true);
    expect(holds('data.change.number ~ /^9123/')).toBe(true);
    expect(holds('data.change ~ /object/')).toBe(false);
  });

  it('evaluates the issue example', () => {
    expect(holds('data.change.branch = master and data.approvals[].value = -2')).toBe(true);
    expect(holds('data.change.branch = master and not data.approvals[].value = -2')).toBe(false);
    expect(
      holds(
        '(data.change.branch = feature or data.change.project = openstack/nova) and data.change.private = false',
      ),
    ).toBe(true);
  });

  it('obeys boolean algebra for any data', () => {
    const value = fc.record({
      a: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant('1')),
      b: fc.array(fc.integer({ min: 0, max: 3 })),
    });
    fc.assert(
      fc.property(value, (v) => {
        const p = holds('a = 1', v);
        const q = holds('b[] = 2', v);
        expect(holds('not a = 1', v)).toBe(!p);
        expect(holds('a != 1', v)).toBe(!p);
        expect(holds('a = 1 and b[] = 2', v)).toBe(p && q);
        expect(holds('a = 1 or b[] = 2', v)).toBe(p || q);
        expect(holds('not (a = 1 or b[] = 2)', v)).toBe(holds('not a = 1 and not b[] = 2', v));
        expect(holds('b[] = 2', v)).toBe(v.b.includes(2));
      }),
      { numRuns: 200 },
    );
  });

  it('is stateless across calls (no lastIndex carry-over)', () => {
    const predicate = compilePredicate('x ~ /a/i');
    for (let i = 0; i < 3; i++) expect(predicate({ x: 'A' })).toBe(true);
  });
});
