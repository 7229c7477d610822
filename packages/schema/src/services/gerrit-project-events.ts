import { Type } from 'typebox';
import { defineEventType } from '../event-type.js';
import { gerritAccount, gerritBase, gerritRefUpdate } from './gerrit-shapes.js';

// Gerrit events about a project or its refs rather than one change.

export const projectCreated = defineEventType({
  service: 'gerrit',
  event: 'project-created',
  description: 'A project was created.',
  topic: 'gerrit/{project+}/project-created',
  params: { project: 'projectName' },
  dataType: 'project-created',
  schema: Type.Object({
    ...gerritBase('project-created'),
    projectName: Type.String({ minLength: 1 }),
    projectHead: Type.Optional(Type.String()),
  }),
  subject: '{projectName}',
  identity: ['type', 'projectName'],
  keys: { project: 'projectName' },
  render: {
    summary: '{data.projectName}: project created',
    sentence: 'Project {data.projectName} was created',
    keys: { project: '{data.projectName}' },
  },
});

export const projectHeadUpdated = defineEventType({
  service: 'gerrit',
  event: 'project-head-updated',
  description: "A project's HEAD was changed to another branch.",
  topic: 'gerrit/{project+}/project-head-updated',
  params: { project: 'projectName' },
  dataType: 'project-head-updated',
  schema: Type.Object({
    ...gerritBase('project-head-updated'),
    projectName: Type.String({ minLength: 1 }),
    oldHead: Type.Optional(Type.String()),
    newHead: Type.String(),
  }),
  subject: '{projectName}',
  identity: ['type', 'eventCreatedOn', 'projectName', 'newHead'],
  keys: { project: 'projectName' },
  render: {
    summary: '{data.projectName}: HEAD now points to {data.newHead}',
    sentence: 'The HEAD of {data.projectName} now points to {data.newHead}',
    keys: { project: '{data.projectName}' },
  },
});

export const refUpdated = defineEventType({
  service: 'gerrit',
  event: 'ref-updated',
  description: 'A ref (branch or tag) was updated, e.g. by a direct push or a merge.',
  topic: 'gerrit/{project+}/ref-updated',
  params: { project: 'refUpdate.project' },
  dataType: 'ref-updated',
  schema: Type.Object({
    ...gerritBase('ref-updated'),
    submitter: Type.Optional(gerritAccount),
    refUpdate: gerritRefUpdate,
  }),
  subject: '{refUpdate.project}/ref/{refUpdate.refName}',
  identity: ['type', 'refUpdate.project', 'refUpdate.refName', 'refUpdate.oldRev', 'refUpdate.newRev'],
  keys: { project: 'refUpdate.project', ref: 'refUpdate.refName', user: 'submitter.username' },
  render: {
    summary: [
      '{data.refUpdate.project} {data.refUpdate.refName}: {data.submitter|account} updated to {data.refUpdate.newRev|short}',
      '{data.refUpdate.project} {data.refUpdate.refName}: updated to {data.refUpdate.newRev|short}',
    ],
    sentence: [
      '{data.submitter|account} updated {data.refUpdate.refName} of {data.refUpdate.project} to {data.refUpdate.newRev|short}',
      '{data.refUpdate.refName} of {data.refUpdate.project} was updated to {data.refUpdate.newRev|short}',
    ],
    actors: ['{data.submitter|user}'],
    keys: { project: '{data.refUpdate.project}', ref: '{data.refUpdate.refName}' },
  },
});

export const batchRefUpdated = defineEventType({
  service: 'gerrit',
  event: 'batch-ref-updated',
  description: 'Several refs of one project were updated in one operation.',
  topic: 'gerrit/{project+}/batch-ref-updated',
  params: { project: 'refUpdates.0.project' },
  dataType: 'batch-ref-updated',
  schema: Type.Object({
    ...gerritBase('batch-ref-updated'),
    submitter: Type.Optional(gerritAccount),
    refUpdates: Type.Array(gerritRefUpdate, { minItems: 1 }),
  }),
  subject: '{refUpdates.0.project}',
  identity: ['type', 'eventCreatedOn', 'refUpdates.0.project', 'refUpdates.0.refName', 'refUpdates.0.newRev'],
  keys: { project: 'refUpdates.0.project', user: 'submitter.username' },
  render: {
    summary: '{data.refUpdates.0.project}: {data.refUpdates|count} refs updated',
    sentence: [
      '{data.submitter|account} updated {data.refUpdates|count} refs of {data.refUpdates.0.project}',
      '{data.refUpdates|count} refs of {data.refUpdates.0.project} were updated',
    ],
    actors: ['{data.submitter|user}'],
    keys: { project: '{data.refUpdates.0.project}' },
  },
});

export const refReplicated = defineEventType({
  service: 'gerrit',
  event: 'ref-replicated',
  description: 'The replication plugin pushed a ref to a mirror (undocumented upstream; declared here).',
  topic: 'gerrit/{project+}/ref-replicated',
  params: { project: 'project' },
  dataType: 'ref-replicated',
  schema: Type.Object({
    ...gerritBase('ref-replicated'),
    project: Type.String({ minLength: 1 }),
    ref: Type.String(),
    targetNode: Type.String(),
    status: Type.String({ description: 'succeeded, failed, not-attempted, ...' }),
    refStatus: Type.Optional(Type.String()),
  }),
  subject: '{project}/ref/{ref}',
  identity: ['type', 'eventCreatedOn', 'project', 'ref', 'targetNode'],
  keys: { project: 'project', ref: 'ref', host: 'targetNode' },
  render: {
    summary: '{data.project} {data.ref}: replicated to {data.targetNode} ({data.status})',
    sentence: '{data.ref} of {data.project} was replicated to {data.targetNode} ({data.status})',
    keys: { project: '{data.project}', ref: '{data.ref}' },
  },
});

export const droppedOutput = defineEventType({
  service: 'gerrit',
  event: 'dropped-output',
  description: 'Gerrit dropped stream-events output because the reader was too slow; events were lost.',
  topic: 'gerrit/-/dropped-output',
  dataType: 'dropped-output',
  schema: Type.Object({ ...gerritBase('dropped-output') }),
  identity: ['type', 'eventCreatedOn'],
  render: {
    summary: 'gerrit: stream-events output dropped',
    sentence: 'Gerrit dropped stream-events output because the reader was too slow',
  },
});
