import { FirehoseError, isFirehoseError, matches } from '@firehose/protocol';
import { topicTemplate } from '@firehose/schema';
import { describe, expect, expectTypeOf, it } from 'vitest';

const gerrit = topicTemplate('gerrit/{project+}/comment-added');
const zuul = topicTemplate('zuul/{tenant}/{pipeline}/{project+}/{branch}/{change}');
const launchpad = topicTemplate('launchpad/{project}/bug/{bug}');

describe('topicTemplate', () => {
  it('infers parameter names from the pattern', () => {
    expectTypeOf<Parameters<typeof gerrit.build>[0]>().toEqualTypeOf<{ project: string }>();
    expectTypeOf(zuul.parse('x')).toEqualTypeOf<
      { tenant: string; pipeline: string; project: string; branch: string; change: string } | undefined
    >();
    expectTypeOf<
      keyof Parameters<ReturnType<typeof topicTemplate<'gerrit/-/dropped-output'>>['build']>[0]
    >().toEqualTypeOf<never>();
    // @ts-expect-error -- `projct` is not a parameter of the pattern
    expect(() => gerrit.build({ projct: 'x' })).toThrow(FirehoseError);
    expect(gerrit.params).toEqual(['project']);
    expect(zuul.params).toEqual(['tenant', 'pipeline', 'project', 'branch', 'change']);
  });

  it.each([
    ['All-Projects', 'gerrit/All-Projects/comment-added'],
    ['openstack/nova', 'gerrit/openstack/nova/comment-added'],
    ['starlingx/config/files', 'gerrit/starlingx/config/files/comment-added'],
    ['x/c++', 'gerrit/x/c%2B%2B/comment-added'],
    ['x/#hash', 'gerrit/x/%23hash/comment-added'],
    ['x/100%', 'gerrit/x/100%25/comment-added'],
    ['comment-added/comment-added', 'gerrit/comment-added/comment-added/comment-added'],
  ])('builds and parses the project %s', (project, topic) => {
    expect(gerrit.build({ project })).toBe(topic);
    expect(gerrit.parse(topic)).toEqual({ project });
  });

  it.each([
    ['master', 'master'],
    ['stable/2024.1', 'stable%2F2024.1'],
    ['feature/a+b#c%d', 'feature%2Fa%2Bb%23c%25d'],
    ['-', '-'],
  ])('encodes the one-level parameter %s as %s', (branch, level) => {
    const params = {
      tenant: 'openstack',
      pipeline: 'gate',
      project: 'openstack/nova',
      branch,
      change: '912345',
    };
    const topic = zuul.build(params);
    expect(topic).toBe(`zuul/openstack/gate/openstack/nova/${level}/912345`);
    expect(zuul.parse(topic)).toEqual(params);
  });

  it('uses the bare placeholder for "no value"', () => {
    const params = {
      tenant: 'openstack',
      pipeline: 'periodic',
      project: 'openstack/nova',
      branch: 'master',
      change: '-',
    };
    expect(zuul.build(params)).toBe('zuul/openstack/periodic/openstack/nova/master/-');
    expect(zuul.parse('zuul/openstack/periodic/openstack/nova/master/-')).toEqual(params);
  });

  it('rejects topics that do not fit or are not canonically encoded', () => {
    expect(gerrit.parse('gerrit/comment-added')).toBeUndefined();
    expect(gerrit.parse('gerrit/openstack/nova/patchset-created')).toBeUndefined();
    expect(gerrit.parse('gerrit//comment-added')).toBeUndefined();
    expect(gerrit.parse('gerrit/openstack%2Fnova/comment-added')).toBeUndefined();
    expect(gerrit.parse('gerrit/%41/comment-added')).toBeUndefined();
    expect(gerrit.parse('gerrit/%2D/comment-added')).toBeUndefined();
    expect(launchpad.parse('launchpad/nova/bug/1/2')).toBeUndefined();
    expect(launchpad.parse('launchpad/nova/bugs/1')).toBeUndefined();
    // Filters are not topics.
    expect(gerrit.parse('gerrit/+/comment-added')).toBeUndefined();
    expect(launchpad.parse('launchpad/nova/bug/#')).toBeUndefined();
  });

  it('throws INVALID_PARAMS for missing, empty or malformed parameters', () => {
    const attempts = [
      () => gerrit.build({} as { project: string }),
      () => gerrit.build({ project: '' }),
      () => gerrit.build({ project: 'openstack//nova' }),
      () => gerrit.build({ project: '/nova' }),
      () => launchpad.build({ project: 'nova', bug: 42 as unknown as string }),
      () => gerrit.filters({ project: '' }),
      () => gerrit.filters({}, { maxDepth: 0 }),
      () => launchpad.filters({ bogus: 'x' } as never),
      () => launchpad.build(null as never),
      () => topicTemplate(42 as never),
    ];
    for (const attempt of attempts) {
      let caught: unknown;
      try {
        attempt();
      } catch (error) {
        caught = error;
      }
      expect(isFirehoseError(caught, 'INVALID_PARAMS'), String(caught)).toBe(true);
    }
  });

  it('rejects patterns with two variable-depth parameters or wildcards', () => {
    expect(() => topicTemplate('a/{x+}/{y+}')).toThrow(/more than one variable-depth/);
    expect(() => topicTemplate('a/+/b')).toThrow(/invalid fixed level/);
    expect(() => topicTemplate('a/{x}/{x}')).toThrow(/twice/);
  });

  describe('filters', () => {
    it('gives one filter per project depth when the project is open', () => {
      expect(gerrit.filters()).toEqual([
        'gerrit/+/comment-added',
        'gerrit/+/+/comment-added',
        'gerrit/+/+/+/comment-added',
        'gerrit/+/+/+/+/comment-added',
      ]);
      expect(gerrit.filters({}, { maxDepth: 2 })).toHaveLength(2);
      expect(gerrit.filters(null as never)).toEqual(gerrit.filters());
    });

    it('pins given parameters, encoded', () => {
      expect(gerrit.filters({ project: 'openstack/nova' })).toEqual(['gerrit/openstack/nova/comment-added']);
      expect(zuul.filters({ tenant: 'openstack', branch: 'stable/2024.1' }, { maxDepth: 2 })).toEqual([
        'zuul/openstack/+/+/stable%2F2024.1/+',
        'zuul/openstack/+/+/+/stable%2F2024.1/+',
      ]);
      expect(launchpad.filters({ project: 'nova' })).toEqual(['launchpad/nova/bug/+']);
    });

    it('match the built topic', () => {
      const topic = zuul.build({
        tenant: 't',
        pipeline: 'check',
        project: 'a/b/c',
        branch: 'stable/2024.1',
        change: '1',
      });
      const hits = zuul.filters({ pipeline: 'check' }).filter((filter) => matches(filter, topic));
      expect(hits).toHaveLength(1);
      expect(zuul.filters({ pipeline: 'gate' }).some((filter) => matches(filter, topic))).toBe(false);
    });
  });
});
