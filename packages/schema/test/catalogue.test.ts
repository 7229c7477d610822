import { dataschemaUrn, isFirehoseError } from '@firehose/protocol';
import {
  ansible,
  redactAnsibleResult,
  eventTypes,
  gearmanLogstash,
  gerrit,
  getEventType,
  launchpad,
  lookup,
  eventTypeForTopic,
  services,
  zuul,
  type EventType,
  type InferData,
  type Subscription,
} from '@firehose/schema';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { loadFixture } from './fixtures.js';

const GERRIT_EVENTS = [
  'change-abandoned',
  'change-deleted',
  'change-merged',
  'change-restored',
  'comment-added',
  'draft-published',
  'hashtags-changed',
  'merge-failed',
  'patchset-created',
  'private-state-changed',
  'project-created',
  'project-head-updated',
  'ref-updated',
  'batch-ref-updated',
  'ref-replicated',
  'reviewer-added',
  'reviewer-deleted',
  'topic-changed',
  'vote-deleted',
  'wip-state-changed',
  'dropped-output',
];

/** Every (path, value) leaf-or-node of a JSON value, for mutation. */
function* paths(value: unknown, prefix: string[] = []): Generator<string[]> {
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    yield [...prefix, key];
    yield* paths(child, [...prefix, key]);
  }
}

function mutate(
  data: unknown,
  path: string[],
  change: (parent: Record<string, unknown>, key: string) => void,
): unknown {
  const copy = structuredClone(data);
  let parent = copy as Record<string, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  change(parent, path.at(-1)!);
  return copy;
}

const pointer = (path: string[]) => `/${path.join('/')}`;

describe('catalogue', () => {
  it('declares every Gerrit event of docs/architecture.md#topics and the other services', () => {
    expect(gerrit).toHaveProperty('commentAdded');
    expect(
      Object.values(gerrit)
        .map((e) => e.event)
        .sort(),
    ).toEqual([...GERRIT_EVENTS].sort());
    expect(services.map((s) => s.name)).toEqual([
      'gerrit',
      'launchpad',
      'zuul',
      'gearman-subunit',
      'gearman-logstash',
      'ansible',
    ]);
    expect(eventTypes).toHaveLength(29);
    expect(gerrit.commentAdded.type).toBe('gerrit.comment-added');
    expect(gerrit.commentAdded.dataschema).toBe(dataschemaUrn('gerrit.comment-added', 1));
    expect(gerrit.droppedOutput.topic({})).toBe('gerrit/-/dropped-output');
    expect(getEventType('gerrit.comment-added')).toBe(gerrit.commentAdded);
    expect(getEventType('gerrit.comment-added', 1)).toBe(gerrit.commentAdded);
    expect(getEventType('gerrit.comment-added', 2)).toBeUndefined();
    expect(getEventType('gerrit.nope')).toBeUndefined();
  });

  it('types data and params from the declaration', () => {
    type CommentAdded = InferData<typeof gerrit.commentAdded>;
    expectTypeOf<CommentAdded['change']['number']>().toEqualTypeOf<number>();
    expectTypeOf<CommentAdded['type']>().toEqualTypeOf<'comment-added'>();
    expectTypeOf(gerrit.commentAdded.topic).parameter(0).toEqualTypeOf<{ project: string }>();
    expectTypeOf(zuul.report.topic).parameter(0).toEqualTypeOf<{
      tenant: string;
      pipeline: string;
      project: string;
      branch: string;
      change: string;
    }>();
    expectTypeOf(gearmanLogstash.retrieveLogs.topic)
      .parameter(0)
      .toEqualTypeOf<{ host: string; project: string; change: string }>();
    expectTypeOf(ansible.taskResult.topic)
      .parameter(0)
      .toEqualTypeOf<{ playbook: string; host: string; status: string }>();
    // Specific event types and subscriptions fit where the generic ones are expected (lists, client APIs).
    expectTypeOf(gerrit.commentAdded).toExtend<EventType>();
    expectTypeOf(zuul.report({ tenant: 'openstack' })).toExtend<Subscription>();
    const list: EventType[] = [gerrit.commentAdded, zuul.report, ansible.hostStats];
    expect(list).toHaveLength(3);
  });

  it('is callable: an event type with params is a subscription', () => {
    const subscription = gerrit.commentAdded({ project: 'openstack/nova' });
    expect(subscription.eventType).toBe(gerrit.commentAdded);
    expect(subscription.params).toEqual({ project: 'openstack/nova' });
    expect(subscription.filters).toEqual(['gerrit/openstack/nova/comment-added']);
    expect(launchpad.bug().filters).toEqual(['launchpad/+/bug/+']);
  });

  describe.each(eventTypes.map((eventType) => [eventType.type, eventType] as const))('%s', (_, eventType) => {
    const fixture = loadFixture(eventType);

    it('validates its fixture and round-trips its topic through lookup', () => {
      const result = eventType.validate(fixture.data);
      expect(result.ok ? undefined : result.error.message).toBeUndefined();
      const topic = eventType.topic(fixture.params);
      expect(eventType.template.parse(topic)).toEqual(fixture.params);
      const found = lookup(topic);
      expect(found?.eventType).toBe(eventType);
      expect(found?.params).toEqual(fixture.params);
    });

    it('derives its topic from the data where the data repeats the parameters', () => {
      const derivable = Object.keys(eventType.paramSources);
      const given = Object.fromEntries(
        Object.entries(fixture.params).filter(([name]) => !derivable.includes(name)),
      );
      expect(eventType.topicFor(fixture.data as never, given)).toBe(eventType.topic(fixture.params));
    });

    it('is open: unknown properties are allowed', () => {
      expect(eventType.validate({ ...fixture.data, addedInANewRelease: { x: 1 } }).ok).toBe(true);
    });

    it('rejects a missing required field or a wrong type with the JSON path', () => {
      let mutations = 0;
      for (const path of paths(fixture.data)) {
        const missing = mutate(fixture.data, path, (parent, key) => {
          if (Array.isArray(parent)) parent.splice(Number(key), 1);
          else delete parent[key];
        });
        const wrongType = mutate(fixture.data, path, (parent, key) => {
          parent[key] = typeof parent[key] === 'string' ? 12345 : 'not the right type';
        });
        const missingResult = eventType.validate(missing);
        if (!missingResult.ok) {
          mutations++;
          expect(isFirehoseError(missingResult.error, 'INVALID_PAYLOAD')).toBe(true);
          expect(missingResult.error.path).toBe(pointer(path));
          expect(missingResult.error.message).toContain(pointer(path));
        }
        const wrongResult = eventType.validate(wrongType);
        if (!wrongResult.ok) {
          mutations++;
          // The first problem is at the mutated node or, for unions, at that node too.
          expect(wrongResult.error.path).toBe(pointer(path));
          expect(wrongResult.error.message).toMatch(/expected|must/);
        }
      }
      expect(mutations).toBeGreaterThan(0);
    });
  });

  it('rejects data that is not an object', () => {
    const result = gerrit.commentAdded.validate('nope');
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.error.path).toBe('');
  });
});

describe('lookup', () => {
  it.each([
    ['gerrit/All-Projects/ref-updated', gerrit.refUpdated, { project: 'All-Projects' }],
    ['gerrit/openstack/nova/comment-added', gerrit.commentAdded, { project: 'openstack/nova' }],
    ['gerrit/a/b/c/patchset-created', gerrit.patchsetCreated, { project: 'a/b/c' }],
    ['gerrit/-/dropped-output', gerrit.droppedOutput, {}],
    ['gerrit/x/c%2B%2B/comment-added', gerrit.commentAdded, { project: 'x/c++' }],
    [
      'zuul/openstack/gate/openstack/nova/stable%2F2024.1/912345',
      zuul.report,
      {
        tenant: 'openstack',
        pipeline: 'gate',
        project: 'openstack/nova',
        branch: 'stable/2024.1',
        change: '912345',
      },
    ],
    [
      'gearman-logstash/w1/openstack/nova/periodic/retrieve_logs',
      gearmanLogstash.retrieveLogs,
      { host: 'w1', project: 'openstack/nova', change: 'periodic' },
    ],
    [
      'ansible/playbook/p1/task/h1/FAILED',
      ansible.taskResult,
      { playbook: 'p1', host: 'h1', status: 'FAILED' },
    ],
    ['launchpad/nova/bug/42', launchpad.bug, { project: 'nova', bug: '42' }],
  ])('%s', (topic, eventType, params) => {
    expect(lookup(topic)).toEqual({ eventType, params });
  });

  it.each([
    'gerrit/comment-added',
    'gerrit/openstack/nova/no-such-event',
    'gerrit/openstack%2Fnova/comment-added',
    'gerrit//comment-added',
    'zuul/openstack/gate/master/1',
    'launchpad/nova/bug',
    'unknown/service',
    '$SYS/broker/uptime',
    '',
    'gerrit/+/comment-added',
    'gerrit/openstack/#',
    'gerrit/a\u0000b/comment-added',
  ])('finds nothing for %s', (topic) => {
    expect(lookup(topic)).toBeUndefined();
  });
});

describe('eventTypeForTopic', () => {
  it.each([
    ['gerrit/openstack/nova/comment-added', gerrit.commentAdded],
    // Declared shapes with a badly encoded or empty level: lookup() finds nothing, checkEvent refuses them.
    ['gerrit/openstack%2Fnova/comment-added', gerrit.commentAdded],
    ['gerrit//comment-added', gerrit.commentAdded],
    ['zuul/openstack/check/openstack/nova/%41/912345', zuul.report],
  ] as const)('%s', (topic, eventType) => {
    expect(eventTypeForTopic(topic)).toBe(eventType);
  });

  it.each([
    'gerrit/openstack/nova/no-such-event',
    'unknown/service',
    '$SYS/broker/uptime',
    'gerrit/+/comment-added',
    '',
  ])('finds nothing for %s', (topic) => {
    expect(eventTypeForTopic(topic)).toBeUndefined();
  });
});

describe('ansible no_log', () => {
  const { data } = loadFixture(ansible.taskResult);
  const secret = { _ansible_no_log: true, changed: true, stdout: 'password=hunter2' };

  it('refuses task results Ansible was told to hide', () => {
    const result = ansible.taskResult.validate({ ...data, ansible_result: secret });
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.error.path).toBe('/ansible_result');
    expect(result.ok ? '' : result.error.message).toMatch(
      /no_log result; publish redactAnsibleResult\(result\) instead\.$/,
    );
  });

  it('redacts them for publishers the way Ansible does', () => {
    const redacted = redactAnsibleResult(secret);
    expect(redacted).toEqual({
      censored: expect.stringContaining("'no_log: true'") as string,
      changed: true,
    });
    expect(JSON.stringify(redacted)).not.toContain('hunter2');
    expect(ansible.taskResult.validate({ ...data, ansible_result: redacted }).ok).toBe(true);
    expect(redactAnsibleResult(data.ansible_result as Record<string, unknown>)).toBe(data.ansible_result);
  });
});
