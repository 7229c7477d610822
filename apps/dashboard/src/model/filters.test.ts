import { describe, expect, it } from 'vitest';
import { makeItem } from '../../test/make-item.js';
import {
  compileFilter,
  emptyFilter,
  filterFromParams,
  filterToParams,
  isEmptyFilter,
  topicFilterProblem,
} from './filters.js';

const gerrit = makeItem({
  topic: 'gerrit/openstack/nova/comment-added',
  type: 'gerrit.comment-added',
  summary: 'Code-Review+2 on nova 912345',
  actors: ['Alice Example'],
  keys: { project: 'openstack/nova', change: '912345' },
});
const zuul = makeItem({
  topic: 'zuul/openstack/check/openstack/neutron/master/912399',
  type: 'zuul.buildset',
  summary: 'check failure neutron',
  actors: ['zuul'],
  keys: { project: 'openstack/neutron', change: '912399' },
});
const launchpad = makeItem({
  topic: 'launchpad/nova/bug/2001',
  type: 'launchpad.bug',
  summary: 'Bug 2001 changed',
  actors: ['bob'],
  keys: { project: 'nova' },
});
const all = [gerrit, zuul, launchpad];
const pick = (filter: Partial<typeof emptyFilter>) =>
  all.filter(compileFilter({ ...emptyFilter, ...filter }));

describe('compileFilter', () => {
  it('passes everything when empty', () => {
    expect(pick({})).toEqual(all);
    expect(isEmptyFilter(emptyFilter)).toBe(true);
  });

  it('filters by service, project, change, user, type and text', () => {
    expect(pick({ services: ['zuul', 'launchpad'] })).toEqual([zuul, launchpad]);
    expect(pick({ project: 'NOVA' })).toEqual([gerrit, launchpad]);
    expect(pick({ change: '#912345' })).toEqual([gerrit]);
    expect(pick({ user: 'alice' })).toEqual([gerrit]);
    expect(pick({ type: 'buildset' })).toEqual([zuul]);
    expect(pick({ text: 'neutron failure' })).toEqual([zuul]);
    expect(pick({ text: 'neutron success' })).toEqual([]);
  });

  it('filters by MQTT topic filter with protocol matching', () => {
    expect(pick({ topic: 'gerrit/#' })).toEqual([gerrit]);
    expect(pick({ topic: '+/nova/#' })).toEqual([launchpad]);
    expect(pick({ topic: 'zuul/+/check/#' })).toEqual([zuul]);
  });

  it('ignores an invalid topic filter instead of hiding everything, and says why', () => {
    expect(topicFilterProblem('gerrit/#/x')).toMatch(/not an MQTT topic filter/);
    expect(topicFilterProblem('gerrit/#')).toBeUndefined();
    expect(pick({ topic: 'gerrit/#/x' })).toEqual(all);
  });

  it('combines fields with AND', () => {
    expect(pick({ services: ['gerrit'], user: 'bob' })).toEqual([]);
  });
});

describe('filter URL state', () => {
  it('round-trips through URL parameters and keeps unrelated ones', () => {
    const filter = {
      ...emptyFilter,
      services: ['gerrit', 'zuul'],
      project: 'openstack/nova',
      text: 'merge',
      topic: 'gerrit/#',
    };
    const params = filterToParams(filter, new URLSearchParams('broker=ws%3A%2F%2Fh%3A1%2Fmqtt&project=old'));
    expect(params.get('broker')).toBe('ws://h:1/mqtt');
    expect(params.get('service')).toBe('gerrit,zuul');
    expect(params.get('q')).toBe('merge');
    expect(params.has('user')).toBe(false);
    expect(filterFromParams(new URLSearchParams(params.toString()))).toEqual(filter);
  });
});
