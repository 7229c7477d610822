import { Type } from 'typebox';
import { defineEventType } from '../event-type.js';

// Shaped after the MQTT callback plugin the OpenStack infra ran from its Ansible controller.
const playbook = {
  playbook_id: Type.String({ minLength: 1 }),
  playbook_name: Type.Optional(Type.String()),
};

const keys = { playbook: '{data.playbook_id}', host: '{data.host}' };
/** Search keys of the history archive (data paths, where `keys` above are render templates). */
const searchKeys = { playbook: 'playbook_id', host: 'host' };

const playbookStart = defineEventType({
  service: 'ansible',
  event: 'playbook-start',
  description: 'An Ansible playbook run started.',
  topic: 'ansible/playbook/{playbook}/action/start',
  params: { playbook: 'playbook_id' },
  schema: Type.Object({ ...playbook, status: Type.Optional(Type.String()) }),
  identity: ['playbook_id'],
  keys: searchKeys,
  render: {
    summary: ['ansible {data.playbook_name}: started', 'ansible playbook {data.playbook_id}: started'],
    sentence: [
      'Ansible playbook {data.playbook_name} started',
      'Ansible playbook {data.playbook_id} started',
    ],
    keys,
  },
});

const playbookFinish = defineEventType({
  service: 'ansible',
  event: 'playbook-finish',
  description: 'An Ansible playbook run finished; the last topic level is OK or FAILED.',
  topic: 'ansible/playbook/{playbook}/action/finish/{result}',
  params: { playbook: 'playbook_id', result: 'status' },
  schema: Type.Object({ ...playbook, status: Type.Union([Type.Literal('OK'), Type.Literal('FAILED')]) }),
  identity: ['playbook_id'],
  keys: searchKeys,
  render: {
    summary: [
      'ansible {data.playbook_name}: finished {data.status}',
      'ansible playbook {data.playbook_id}: finished {data.status}',
    ],
    sentence: [
      'Ansible playbook {data.playbook_name} finished with {data.status}',
      'Ansible playbook {data.playbook_id} finished with {data.status}',
    ],
    keys,
  },
});

const hostStats = defineEventType({
  service: 'ansible',
  event: 'host-stats',
  description: 'Per-host totals at the end of a playbook run.',
  topic: 'ansible/playbook/{playbook}/stats/{host}',
  params: { playbook: 'playbook_id', host: 'host' },
  schema: Type.Object({
    ...playbook,
    host: Type.String({ minLength: 1 }),
    stats: Type.Object({
      ok: Type.Integer(),
      changed: Type.Integer(),
      failures: Type.Integer(),
      skipped: Type.Integer(),
      unreachable: Type.Integer(),
    }),
  }),
  identity: ['playbook_id', 'host'],
  keys: searchKeys,
  render: {
    summary:
      'ansible {data.host}: ok={data.stats.ok} changed={data.stats.changed} failed={data.stats.failures} unreachable={data.stats.unreachable}',
    sentence: 'Host {data.host} finished playbook {data.playbook_id} with {data.stats.failures} failures',
    keys,
  },
});

const taskResult = defineEventType({
  service: 'ansible',
  event: 'task-result',
  description: 'The result of one task on one host. Publishers must drop `no_log` results before sending.',
  topic: 'ansible/playbook/{playbook}/task/{host}/{status}',
  params: { playbook: 'playbook_id', host: 'host', status: 'status' },
  schema: Type.Object({
    ...playbook,
    host: Type.String({ minLength: 1 }),
    status: Type.Union([Type.Literal('OK'), Type.Literal('FAILED'), Type.Literal('UNREACHABLE')]),
    ansible_task: Type.String(),
    ansible_type: Type.Optional(Type.String()),
    // The broker must never fan out a result Ansible was told to hide: `no_log` results are refused.
    ansible_result: Type.Optional(
      Type.Object(
        {},
        {
          not: {
            type: 'object',
            required: ['_ansible_no_log'],
            properties: { _ansible_no_log: { const: true } },
          },
          errorMessage: 'is a no_log result; publish redactAnsibleResult(result) instead',
        },
      ),
    ),
  }),
  // Also for the broker: a refused no_log result is redacted before any excerpt of it is kept.
  secretMarkers: ['_ansible_no_log'],
  keys: searchKeys,
  render: {
    summary: 'ansible {data.host}: {data.ansible_task} {data.status}',
    sentence: 'Task "{data.ansible_task}" on {data.host} finished with {data.status}',
    keys,
  },
});

/** Ansible playbook runs. */
export const ansible = { playbookStart, playbookFinish, hostStats, taskResult } as const;

const CENSORED =
  "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

/**
 * What a publisher sends for a task result: `no_log` results are replaced the way Ansible's own
 * callbacks do it (only `censored` and `changed` are kept); others pass unchanged.
 */
export function redactAnsibleResult(result: Record<string, unknown>): Record<string, unknown> {
  if (result._ansible_no_log !== true) return result;
  return { censored: CENSORED, changed: result.changed === true };
}
