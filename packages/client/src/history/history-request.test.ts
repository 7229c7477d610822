import { gerrit } from '@firehose/schema';
import { describe, expect, it } from 'vitest';
import { resolveHistoryTarget, targetAccepts } from './history-request.js';

const query = (target: Parameters<typeof resolveHistoryTarget>[0]): string =>
  resolveHistoryTarget(target).params.toString();

describe('resolveHistoryTarget', () => {
  it('sends an MQTT filter as topic, and # as no filter at all', () => {
    expect(query('zuul/openstack/#')).toBe('topic=zuul%2Fopenstack%2F%23');
    expect(query('#')).toBe('');
  });

  it('sends an event type as its CloudEvents type, and checks the type of each record', () => {
    const target = resolveHistoryTarget(gerrit.commentAdded);
    expect(target.params.toString()).toBe('type=gerrit.comment-added');
    expect(targetAccepts(target, 'gerrit/openstack/nova/comment-added', 'gerrit.comment-added')).toBe(true);
    expect(targetAccepts(target, 'gerrit/openstack/nova/change-merged', 'gerrit.change-merged')).toBe(false);
  });

  it('sends subscription parameters as declared keys, so the archive index answers', () => {
    const target = resolveHistoryTarget(gerrit.commentAdded({ project: 'openstack/nova' }));
    expect(target.params.getAll('type')).toEqual(['gerrit.comment-added']);
    expect(target.params.get('project')).toBe('openstack/nova');
    expect(targetAccepts(target, 'gerrit/openstack/nova/comment-added', 'gerrit.comment-added')).toBe(true);
    expect(targetAccepts(target, 'gerrit/openstack/neutron/comment-added', 'gerrit.comment-added')).toBe(
      false,
    );
  });

  it('sends a query in the API terms: several types, a service, declared keys', () => {
    expect(
      query({
        service: 'gerrit',
        type: ['gerrit.change-merged', 'gerrit.comment-added'],
        keys: { change: '912345' },
      }),
    ).toBe('service=gerrit&type=gerrit.change-merged&type=gerrit.comment-added&change=912345');
  });

  it('refuses what the API could not read, with a sentence naming the field', () => {
    expect(() => query({ project: 'x' } as never)).toThrow(
      /A history query has service, type, topic and keys; "project" is none of them/,
    );
    expect(() => query({ service: 'gerrit/x' })).toThrow(/service must be a service name like gerrit/);
    expect(() => query({ type: [] })).toThrow(/type must be a CloudEvents type/);
    expect(() => query({ keys: { limit: '5' } })).toThrow(
      /keys.limit: a key name is .* not one of service, type/,
    );
    expect(() => query({ keys: { Change: '5' } })).toThrow(/keys.Change: a key name is lower-case/);
    expect(() => query('gerrit/#/x')).toThrow(expect.objectContaining({ code: 'INVALID_FILTER' }));
    expect(() => query(42 as never)).toThrow(/history\(\) takes an MQTT filter string, an event type/);
  });
});
