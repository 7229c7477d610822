import { Type, type TProperties } from 'typebox';
import { defineEventType } from '../event-type.js';
import { gerritAccount, gerritApproval, gerritBase, gerritChange, gerritPatchSet } from './gerrit-shapes.js';

/** Gerrit 3.x repeats the project, the target ref and the change key at the top of every change event. */
const changeEventCommon = {
  project: Type.Optional(Type.String()),
  refName: Type.Optional(Type.String()),
  changeKey: Type.Optional(Type.Object({ id: Type.String() })),
};

/** `openstack/nova #912345 "Fix race in scheduler"` */
const CHANGE = '{data.change.project} #{data.change.number} "{data.change.subject}"';
const SERVICE = 'gerrit';

interface ChangeEventOptions<F extends TProperties> {
  description: string;
  /** Event-specific fields (besides `type`, `eventCreatedOn`, `change`). */
  fields: F;
  /** Field naming the person acting, e.g. `author`. */
  actor: string;
  /** What the actor did, for the summary: `voted Code-Review+2`. First fully resolved wins. */
  actions: readonly string[];
  /** Joins the action to the change in the sentence: `on`, `of`, or empty. */
  preposition: string;
  /** Sentences when `<actor> <action> <preposition> <change>` reads badly; `$actor` and `$change` are substituted. */
  sentences?: readonly string[];
}

/** A Gerrit event about one change: topic `gerrit/<project…>/<event>`, subject `<project>/change/<number>`. */
function changeEvent<const E extends string, F extends TProperties>(
  event: E,
  options: ChangeEventOptions<F>,
) {
  const actor = `{data.${options.actor}|account}`;
  const join = options.preposition === '' ? ' ' : ` ${options.preposition} `;
  return defineEventType({
    service: SERVICE,
    event,
    description: options.description,
    topic: `gerrit/{project+}/${event}`,
    dataType: event,
    // `E` is generic here, so TypeScript cannot evaluate the pattern's parameter names.
    params: { project: 'change.project' } as never,
    schema: Type.Object({
      ...gerritBase(event),
      ...changeEventCommon,
      change: gerritChange,
      ...options.fields,
    }),
    subject: '{change.project}/change/{change.number}',
    identity: ['type', 'eventCreatedOn', 'change.number', `${options.actor}.username`],
    keys: {
      project: 'change.project',
      change: 'change.number',
      patchset: 'patchSet.number',
      user: `${options.actor}.username`,
    },
    render: {
      summary: options.actions.map((action) => `${CHANGE}: ${actor} ${action}`),
      sentence:
        options.sentences?.map((sentence) => sentence.replace('$actor', actor).replace('$change', CHANGE)) ??
        options.actions.map((action) => `${actor} ${action}${join}${CHANGE}`),
      url: '{data.change.url}',
      actors: [`{data.${options.actor}|user}`],
      keys: {
        project: '{data.change.project}',
        change: '{data.change.number}',
        patchset: '{data.patchSet.number}',
      },
    },
  });
}

const optionalPatchSet = { patchSet: Type.Optional(gerritPatchSet) };

export const changeAbandoned = changeEvent('change-abandoned', {
  description: 'A change was abandoned.',
  fields: { ...optionalPatchSet, abandoner: gerritAccount, reason: Type.Optional(Type.String()) },
  actor: 'abandoner',
  actions: ['abandoned'],
  preposition: '',
});

export const changeDeleted = changeEvent('change-deleted', {
  description: 'A change was deleted.',
  fields: { deleter: gerritAccount },
  actor: 'deleter',
  actions: ['deleted'],
  preposition: '',
});

export const changeMerged = changeEvent('change-merged', {
  description: 'A change was merged into its branch.',
  fields: { patchSet: gerritPatchSet, submitter: gerritAccount, newRev: Type.Optional(Type.String()) },
  actor: 'submitter',
  actions: ['merged'],
  preposition: '',
});

export const changeRestored = changeEvent('change-restored', {
  description: 'An abandoned change was restored.',
  fields: { ...optionalPatchSet, restorer: gerritAccount, reason: Type.Optional(Type.String()) },
  actor: 'restorer',
  actions: ['restored'],
  preposition: '',
});

export const commentAdded = changeEvent('comment-added', {
  description: 'A review comment was posted on a change, possibly with votes.',
  fields: {
    patchSet: gerritPatchSet,
    author: gerritAccount,
    approvals: Type.Optional(Type.Array(gerritApproval)),
    comment: Type.String(),
  },
  actor: 'author',
  actions: ['voted {data.approvals|votes}', 'commented'],
  preposition: 'on',
});

export const draftPublished = changeEvent('draft-published', {
  description: 'A draft patch set was published (Gerrit 2.x).',
  fields: { patchSet: gerritPatchSet, uploader: gerritAccount },
  actor: 'uploader',
  actions: ['published draft patch set {data.patchSet.number}'],
  preposition: 'of',
});

export const hashtagsChanged = changeEvent('hashtags-changed', {
  description: 'Hashtags were added to or removed from a change.',
  fields: {
    editor: gerritAccount,
    added: Type.Optional(Type.Array(Type.String())),
    removed: Type.Optional(Type.Array(Type.String())),
    hashtags: Type.Optional(Type.Array(Type.String())),
  },
  actor: 'editor',
  actions: ['changed hashtags to {data.hashtags|list}', 'changed hashtags'],
  preposition: 'of',
  sentences: [
    '$actor set the hashtags of $change to {data.hashtags|list}',
    '$actor changed the hashtags of $change',
  ],
});

export const mergeFailed = changeEvent('merge-failed', {
  description: 'A change failed to merge.',
  fields: { patchSet: gerritPatchSet, submitter: gerritAccount, reason: Type.Optional(Type.String()) },
  actor: 'submitter',
  actions: ['failed to merge: {data.reason}', 'failed to merge'],
  preposition: '',
  sentences: ['$actor failed to merge $change: {data.reason}', '$actor failed to merge $change'],
});

export const patchsetCreated = changeEvent('patchset-created', {
  description: 'A new change or a new patch set of a change was uploaded.',
  fields: { patchSet: gerritPatchSet, uploader: gerritAccount },
  actor: 'uploader',
  actions: ['uploaded patch set {data.patchSet.number}'],
  preposition: 'of',
});

export const privateStateChanged = changeEvent('private-state-changed', {
  description: 'A change was marked private or public.',
  fields: { ...optionalPatchSet, changer: gerritAccount },
  actor: 'changer',
  actions: ['changed the private state'],
  preposition: 'of',
});

export const reviewerAdded = changeEvent('reviewer-added', {
  description: 'A reviewer was added to a change.',
  fields: { ...optionalPatchSet, reviewer: gerritAccount, adder: Type.Optional(gerritAccount) },
  actor: 'reviewer',
  actions: ['was added as a reviewer'],
  preposition: 'to',
});

export const reviewerDeleted = changeEvent('reviewer-deleted', {
  description: 'A reviewer was removed from a change.',
  fields: {
    ...optionalPatchSet,
    reviewer: gerritAccount,
    remover: Type.Optional(gerritAccount),
    approvals: Type.Optional(Type.Array(gerritApproval)),
    comment: Type.Optional(Type.String()),
  },
  actor: 'reviewer',
  actions: ['was removed as a reviewer'],
  preposition: 'from',
});

export const topicChanged = changeEvent('topic-changed', {
  description: 'The topic of a change was changed.',
  fields: { changer: gerritAccount, oldTopic: Type.Optional(Type.String()) },
  actor: 'changer',
  actions: ['set the topic to {data.change.topic}', 'cleared the topic'],
  preposition: 'of',
  sentences: [
    '$actor set the topic of $change to {data.change.topic}',
    '$actor cleared the topic of $change',
  ],
});

export const voteDeleted = changeEvent('vote-deleted', {
  description: 'A vote was removed from a change.',
  fields: {
    ...optionalPatchSet,
    reviewer: gerritAccount,
    remover: gerritAccount,
    approvals: Type.Optional(Type.Array(gerritApproval)),
    comment: Type.Optional(Type.String()),
  },
  actor: 'remover',
  actions: ["removed {data.reviewer|account}'s vote"],
  preposition: 'on',
});

export const wipStateChanged = changeEvent('wip-state-changed', {
  description: 'A change was marked work in progress or ready for review.',
  fields: { ...optionalPatchSet, changer: gerritAccount },
  actor: 'changer',
  actions: ['changed the work-in-progress state'],
  preposition: 'of',
});
