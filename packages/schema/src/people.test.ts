import { describe, expect, it } from 'vitest';
import { mentionsPerson, peopleOf } from './people.js';

describe('peopleOf', () => {
  it('collects names, usernames and emails of Gerrit accounts and Launchpad people', () => {
    const gerrit = {
      change: {
        owner: { name: 'Burst Tester', username: 'burst', email: 'burst@example.org' },
        subject: 'Fix name',
      },
      author: { name: 'Ann Reviewer', email: 'ann@example.org' },
    };
    expect(peopleOf(gerrit).sort()).toEqual([
      'Ann Reviewer',
      'Burst Tester',
      'ann@example.org',
      'burst',
      'burst@example.org',
    ]);
    expect(
      peopleOf({ 'bug-reporter': 'carol', commenters: ['carol', 'dan'], title: 'not a person' }).sort(),
    ).toEqual(['carol', 'dan']);
  });

  it('matches any of them, case-insensitively', () => {
    const data = { change: { owner: { name: 'Burst Tester', username: 'burst', email: 'bt@example.org' } } };
    expect(mentionsPerson(data, 'burst tester')).toBe(true);
    expect(mentionsPerson(data, 'BT@EXAMPLE')).toBe(true);
    expect(mentionsPerson(data, 'nobody')).toBe(false);
  });
});
