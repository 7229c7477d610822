import { Type, type TProperties } from 'typebox';
import { defineEventType } from '../event-type.js';

// The OpenStack firehose's log workers sent `failure` from one worker and `failed` from the
// other; the schema normalises on `failed` instead of copying the drift.
const status = Type.Union([Type.Literal('success'), Type.Literal('failed')], {
  description: 'success or failed',
});

const jobResult: TProperties = {
  status,
  build_uuid: Type.String({ minLength: 1 }),
  source_url: Type.String(),
  build_name: Type.Optional(Type.String()),
  build_change: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
  build_patchset: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
  build_queue: Type.Optional(Type.String()),
  project: Type.Optional(Type.String()),
};

const render = (what: string) => ({
  summary: [
    `{data.project} {data.build_name}: ${what} {data.status}`,
    `build {data.build_uuid}: ${what} {data.status}`,
  ],
  sentence: [
    `The ${what} for build {data.build_uuid} of {data.project} ended: {data.status}`,
    `The ${what} for build {data.build_uuid} ended: {data.status}`,
  ],
  url: '{data.source_url}',
  keys: { project: '{data.project}', change: '{data.build_change}', build: '{data.build_uuid}' },
});

const pushSubunit = defineEventType({
  service: 'gearman-subunit',
  event: 'push-subunit',
  description: "A log worker loaded a build's subunit stream into the test results database.",
  topic: 'gearman-subunit/{host}/{project+}/{change}',
  params: { project: 'project', change: 'build_change' },
  schema: Type.Object(jobResult),
  subject: '{project}/change/{build_change}',
  identity: ['build_uuid', 'source_url', 'status'],
  keys: { project: 'project', change: 'build_change', build: 'build_uuid' },
  render: render('subunit import'),
});

const retrieveLogs = defineEventType({
  service: 'gearman-logstash',
  event: 'retrieve-logs',
  description:
    "A log worker fetched a build's logs and pushed them to logstash. The change level is a change number, `periodic` or `post`.",
  topic: 'gearman-logstash/{host}/{project+}/{change}/retrieve_logs',
  params: { project: 'project' },
  schema: Type.Object(jobResult),
  subject: '{project}/change/{build_change}',
  identity: ['build_uuid', 'source_url', 'status'],
  keys: { project: 'project', change: 'build_change', build: 'build_uuid' },
  render: render('log retrieval'),
});

/** The subunit2sql gearman worker. */
export const gearmanSubunit = { pushSubunit } as const;
/** The logstash gearman worker. */
export const gearmanLogstash = { retrieveLogs } as const;
