import { createEvent, dataschemaUrn } from '@firehose/protocol';
import {
  createCatalogue,
  defineEventType,
  exportAsyncApi,
  exportJsonSchemas,
  render,
  type ServiceDefinition,
} from '@firehose/schema';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';

// A service in transition: v1 (deprecated) sent `failure`; v2 normalised it to `failed` and added `build_uuid`.
const v1 = defineEventType({
  service: 'ci',
  event: 'job-finished',
  version: 1,
  deprecated: true,
  description: 'A CI job finished (old shape).',
  topic: 'ci/{project+}/job-finished',
  schema: Type.Object({
    project: Type.String(),
    status: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  }),
  params: { project: 'project' },
  render: {
    summary: '{data.project}: {data.status} (v1)',
    sentence: 'A job of {data.project} ended: {data.status}',
  },
});
const v2 = defineEventType({
  service: 'ci',
  event: 'job-finished',
  version: 2,
  description: 'A CI job finished.',
  topic: 'ci/{project+}/job-finished',
  schema: Type.Object({
    project: Type.String(),
    build_uuid: Type.String(),
    status: Type.Union([Type.Literal('success'), Type.Literal('failed')]),
  }),
  params: { project: 'project' },
  render: {
    summary: '{data.project}: {data.status} (v2)',
    sentence: 'A job of {data.project} ended: {data.status}',
  },
});
const ci: ServiceDefinition = {
  name: 'ci',
  description: 'A CI system.',
  source: 'https://ci.example.org',
  eventTypes: [v1, v2],
};
const catalogue = createCatalogue([ci]);

const envelope = (major: number, data: unknown) =>
  createEvent({
    source: ci.source,
    type: 'ci.job-finished',
    dataschema: dataschemaUrn('ci.job-finished', major),
    data,
  });

describe('createCatalogue', () => {
  it('keeps both majors during a transition and picks the schema by the dataschema major', () => {
    expect(catalogue.getEventType('ci.job-finished')).toBe(v2);
    expect(catalogue.getEventType('ci.job-finished', 1)).toBe(v1);
    expect(catalogue.getEventTypeVersions('ci.job-finished')).toEqual([v2, v1]);
    expect(catalogue.lookup('ci/a/b/job-finished')).toEqual({ eventType: v2, params: { project: 'a/b' } });

    const old = catalogue.checkEvent(
      'ci/a/b/job-finished',
      envelope(1, { project: 'a/b', status: 'failure' }),
    );
    expect(old).toEqual({ status: 'valid', eventType: v1, params: { project: 'a/b' } });
    const current = catalogue.checkEvent(
      'ci/a/b/job-finished',
      envelope(2, { project: 'a/b', status: 'failed', build_uuid: 'u1' }),
    );
    expect(current).toEqual({ status: 'valid', eventType: v2, params: { project: 'a/b' } });
    // v1 data under the v2 schema fails: the v2 schema requires build_uuid.
    const mixed = catalogue.checkEvent(
      'ci/a/b/job-finished',
      envelope(2, { project: 'a/b', status: 'failure' }),
    );
    expect(mixed.status === 'invalid' && mixed.error.path).toBe('/data/build_uuid');
    const unknown = catalogue.checkEvent('ci/a/b/job-finished', envelope(3, { project: 'a/b' }));
    expect(unknown.status === 'invalid' && unknown.error.message).toMatch(
      /no schema version 3 \(declared: 2, 1\)/,
    );
  });

  it('renders each major with its own rules and exports both', () => {
    expect(render(envelope(1, { project: 'p', status: 'failure' }), { catalogue }).summary).toBe(
      'p: failure (v1)',
    );
    expect(
      render(envelope(2, { project: 'p', status: 'failed', build_uuid: 'u' }), { catalogue }).summary,
    ).toBe('p: failed (v2)');
    expect([...exportJsonSchemas(catalogue).keys()]).toEqual([
      'ci.job-finished.v1.json',
      'ci.job-finished.v2.json',
    ]);
    const { channels } = exportAsyncApi({ catalogue }) as { channels: Record<string, unknown> };
    expect(Object.keys(channels)).toEqual(['ci_job-finished_v1', 'ci_job-finished_v2']);
    expect(catalogue.eventTypesForFilter('ci/#')).toEqual([v2]);
  });

  it('rejects inconsistent declarations', () => {
    expect(() => createCatalogue([ci, ci])).toThrow(/declared twice/);
    expect(() => createCatalogue([{ ...ci, eventTypes: [v2, v2] }])).toThrow(/v2 is declared twice/);
    expect(() => createCatalogue([{ ...ci, name: 'other' }])).toThrow(/must start with the service name/);
    const clash = defineEventType({
      service: 'ci',
      event: 'other',
      description: 'Same topic as job-finished.',
      topic: 'ci/{project+}/job-finished',
      schema: Type.Object({}),
    });
    expect(() => createCatalogue([{ ...ci, eventTypes: [v2, clash] }])).toThrow(/overlap/);
  });
});
