import { Type } from 'typebox';
import { defineEventType } from '../event-type.js';

const numberOrString = Type.Union([Type.Integer(), Type.String()]);

const build = Type.Object({
  job_name: Type.String(),
  uuid: Type.Optional(Type.String()),
  result: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  voting: Type.Optional(Type.Boolean()),
  log_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  web_url: Type.Optional(Type.String()),
  start_time: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  end_time: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
});

// Zuul's MQTT reporter message (zuul/driver/mqtt), published with the service as first level.
const report = defineEventType({
  service: 'zuul',
  event: 'report',
  description: 'Zuul reported on a queue item: it started, succeeded, failed, or could not merge.',
  topic: 'zuul/{tenant}/{pipeline}/{project+}/{branch}/{change}',
  params: { tenant: 'tenant', pipeline: 'pipeline', project: 'project', branch: 'branch', change: 'change' },
  schema: Type.Object({
    uuid: Type.String({ description: 'Queue item uuid.' }),
    action: Type.String({ description: 'start, success, failure, merge-failure, no-jobs, dequeue, ...' }),
    tenant: Type.String({ minLength: 1 }),
    pipeline: Type.String({ minLength: 1 }),
    project: Type.String({ minLength: 1 }),
    branch: Type.String({
      description: 'Empty for items without a branch (tags); their topic uses the placeholder -.',
    }),
    change_url: Type.Optional(Type.String()),
    change: Type.Optional(numberOrString),
    patchset: Type.Optional(numberOrString),
    ref: Type.Optional(Type.String()),
    oldrev: Type.Optional(Type.String()),
    newrev: Type.Optional(Type.String()),
    commit_id: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
    trigger_time: Type.Optional(Type.Number()),
    enqueue_time: Type.Optional(Type.Number()),
    zuul_event_id: Type.Optional(Type.String()),
    buildset: Type.Optional(
      Type.Object({
        uuid: Type.String(),
        result: Type.Optional(Type.Union([Type.String(), Type.Null()])),
        builds: Type.Optional(Type.Array(build)),
      }),
    ),
  }),
  subject: '{project}/change/{change}',
  identity: ['uuid', 'action'],
  keys: {
    tenant: 'tenant',
    pipeline: 'pipeline',
    project: 'project',
    branch: 'branch',
    change: 'change',
    buildset: 'buildset.uuid',
  },
  render: {
    summary: [
      '{data.tenant}/{data.pipeline} {data.project} #{data.change}: {data.action}{data.buildset.builds|results}',
      '{data.tenant}/{data.pipeline} {data.project} #{data.change}: {data.action}',
      '{data.tenant}/{data.pipeline} {data.project} {data.branch}: {data.action}',
      '{data.tenant}/{data.pipeline} {data.project} {data.ref}: {data.action}',
      '{data.tenant}/{data.pipeline} {data.project}: {data.action}',
    ],
    sentence: [
      'Zuul reported {data.action} for {data.project} #{data.change} in {data.tenant}/{data.pipeline}',
      'Zuul reported {data.action} for {data.project} {data.branch} in {data.tenant}/{data.pipeline}',
      'Zuul reported {data.action} for {data.project} {data.ref} in {data.tenant}/{data.pipeline}',
      'Zuul reported {data.action} for {data.project} in {data.tenant}/{data.pipeline}',
    ],
    url: ['{data.change_url}', '{data.buildset.builds.0.log_url}'],
    keys: {
      project: '{data.project}',
      change: '{data.change}',
      patchset: '{data.patchset}',
      build: '{data.buildset.uuid}',
      pipeline: '{data.pipeline}',
    },
  },
});

/** Zuul CI. Periodic and post items use the placeholder `-` for the change level. */
export const zuul = { report } as const;
