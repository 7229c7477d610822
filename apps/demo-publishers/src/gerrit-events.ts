import { gerrit } from '@firehose/schema';
import type { ChangeState } from './change-state.js';
import { account, changeJson, patchSetJson, signed, type Approval } from './gerrit-data.js';
import type { Person } from './people.js';
import { epochSeconds, type Timeline } from './timeline.js';

// The Gerrit events of a change's life, each as `gerrit stream-events` would print it.

const at = (change: ChangeState) => ({ project: change.project.name });

export function patchsetCreated(
  timeline: Timeline,
  change: ChangeState,
  uploader: Person,
  time: number,
): void {
  timeline.emit(
    gerrit.patchsetCreated,
    at(change),
    {
      type: 'patchset-created',
      eventCreatedOn: epochSeconds(time),
      change: changeJson(change),
      patchSet: patchSetJson(change, uploader),
      uploader: account(uploader),
    },
    time,
  );
}

export function reviewerAdded(timeline: Timeline, change: ChangeState, reviewer: Person, time: number): void {
  timeline.emit(
    gerrit.reviewerAdded,
    at(change),
    {
      type: 'reviewer-added',
      eventCreatedOn: epochSeconds(time),
      change: changeJson(change),
      patchSet: patchSetJson(change, change.owner),
      reviewer: account(reviewer),
      adder: account(change.owner),
    },
    time,
  );
}

/** A review comment; Gerrit prefixes the text with the patch set and the votes it cast. */
export function commentAdded(
  timeline: Timeline,
  change: ChangeState,
  author: Person,
  approvals: Approval[],
  text: string,
  time: number,
): void {
  const votes = approvals
    .filter((a) => a.oldValue !== undefined)
    .map((a) => `${a.type}${signed(Number(a.value))}`);
  const header = `Patch Set ${change.patchset}:${votes.length > 0 ? ` ${votes.join(' ')}` : ''}`;
  timeline.emit(
    gerrit.commentAdded,
    at(change),
    {
      type: 'comment-added',
      eventCreatedOn: epochSeconds(time),
      change: changeJson(change),
      patchSet: patchSetJson(change, change.owner),
      author: account(author),
      approvals,
      comment: text === '' ? header : `${header}\n\n${text}`,
    },
    time,
  );
}

export function changeMerged(
  timeline: Timeline,
  change: ChangeState,
  submitter: Person,
  newRev: string,
  time: number,
): void {
  timeline.emit(
    gerrit.changeMerged,
    at(change),
    {
      type: 'change-merged',
      eventCreatedOn: epochSeconds(time),
      change: changeJson(change),
      patchSet: patchSetJson(change, change.owner),
      submitter: account(submitter),
      newRev,
    },
    time,
  );
}

export function changeAbandoned(
  timeline: Timeline,
  change: ChangeState,
  abandoner: Person,
  reason: string,
  time: number,
): void {
  timeline.emit(
    gerrit.changeAbandoned,
    at(change),
    {
      type: 'change-abandoned',
      eventCreatedOn: epochSeconds(time),
      change: changeJson(change),
      patchSet: patchSetJson(change, change.owner),
      abandoner: account(abandoner),
      reason,
    },
    time,
  );
}

/** A branch or tag moved: after a merge, a release tag, or a config push. */
export function refUpdated(
  timeline: Timeline,
  project: string,
  refName: string,
  oldRev: string,
  newRev: string,
  submitter: Person,
  time: number,
): void {
  timeline.emit(
    gerrit.refUpdated,
    { project },
    {
      type: 'ref-updated',
      eventCreatedOn: epochSeconds(time),
      submitter: account(submitter),
      refUpdate: { oldRev, newRev, refName, project },
    },
    time,
  );
}

export function topicChanged(timeline: Timeline, change: ChangeState, topic: string, time: number): void {
  timeline.emit(
    gerrit.topicChanged,
    at(change),
    {
      type: 'topic-changed',
      eventCreatedOn: epochSeconds(time),
      change: { ...changeJson(change), topic },
      changer: account(change.owner),
    },
    time,
  );
}
