import { describe, expect, it } from 'vitest';
import { gerritFields, signedVote } from './gerrit-fields.js';
import { resultTone, zuulFields } from './zuul-fields.js';
import { formatRelative, formatUtc } from '../ui/format-time.js';

describe('gerritFields', () => {
  it('reads change, owner and signed votes', () => {
    const fields = gerritFields({
      change: {
        number: 912345,
        subject: 'Fix it',
        project: 'openstack/nova',
        owner: { name: 'Alice' },
        url: 'https://r/912345',
      },
      patchSet: { number: 3 },
      approvals: [
        { type: 'Code-Review', value: '2', oldValue: '0' },
        { type: 'Verified', value: '-1' },
        { type: 'Workflow', value: '0' },
      ],
    });
    expect(fields).toMatchObject({
      change: '912345',
      subject: 'Fix it',
      project: 'openstack/nova',
      owner: 'Alice',
      patchSet: '3',
    });
    expect(fields.votes.map((vote) => `${vote.label} ${vote.value}`)).toEqual([
      'Code-Review +2',
      'Verified \u22121',
      'Workflow 0',
    ]);
    expect(fields.votes[0]!.changed).toBe(true);
    expect(fields.votes[1]!.sign).toBe('negative');
  });

  it('shows an owner without name or username as "unknown", never by email', () => {
    const owner = (account: object) => gerritFields({ change: { number: 1, owner: account } }).owner;
    expect(owner({ email: 'alice.private@example.org' })).toBe('unknown');
    expect(owner({ username: 'alice', email: 'alice.private@example.org' })).toBe('alice');
    expect(gerritFields({ change: { number: 1 } }).owner).toBeUndefined();
  });

  it('survives missing fields', () => {
    expect(gerritFields(undefined).votes).toEqual([]);
    expect(signedVote('x').sign).toBe('zero');
  });
});

describe('zuulFields', () => {
  it('reads jobs with results, non-voting marker and log links', () => {
    const fields = zuulFields({
      tenant: 'openstack',
      pipeline: 'check',
      project: 'openstack/nova',
      change: 912345,
      action: 'failure',
      buildset: {
        result: 'FAILURE',
        builds: [
          { job_name: 'tox-py312', result: 'SUCCESS', log_url: 'https://logs/1' },
          { job_name: 'grenade', result: 'FAILURE', voting: false },
        ],
      },
    });
    expect(fields).toMatchObject({
      pipeline: 'check',
      change: '912345',
      action: 'failure',
      result: 'FAILURE',
    });
    expect(fields.jobs).toEqual([
      { name: 'tox-py312', result: 'SUCCESS', voting: true, logUrl: 'https://logs/1' },
      { name: 'grenade', result: 'FAILURE', voting: false, logUrl: undefined },
    ]);
    expect(zuulFields({ change: '-' }).change).toBeUndefined();
    expect([resultTone('SUCCESS'), resultTone('POST_FAILURE'), resultTone(undefined)]).toEqual([
      'good',
      'bad',
      'neutral',
    ]);
  });
});

describe('time formatting', () => {
  it('writes relative and absolute UTC times', () => {
    expect(formatRelative(0, 500)).toBe('now');
    expect(formatRelative(0, 12_000)).toBe('12 s ago');
    expect(formatRelative(0, 180_000)).toBe('3 min ago');
    expect(formatUtc(Date.parse('2026-11-25T12:00:03.5Z'))).toBe('2026-11-25 12:00:03 UTC');
  });
});
