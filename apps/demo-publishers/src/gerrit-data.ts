import { changeUrl, patchsetRef, type ChangeState } from './change-state.js';
import type { Person } from './people.js';

// Gerrit stream-events JSON, as `gerrit stream-events` prints it (the fields the demo fills).

export interface GerritAccount {
  name: string;
  email: string;
  username: string;
}

export function account(person: Person): GerritAccount {
  return { name: person.name, email: person.email, username: person.username };
}

export function changeJson(change: ChangeState) {
  return {
    project: change.project.name,
    branch: change.branch,
    id: change.changeId,
    number: change.number,
    subject: change.subject,
    owner: account(change.owner),
    url: changeUrl(change),
    commitMessage: commitMessage(change),
    createdOn: change.createdOn,
    status: change.status,
    wip: false,
    private: false,
  };
}

export function patchSetJson(change: ChangeState, uploader: Person) {
  return {
    number: change.patchset,
    revision: change.revision,
    parents: [change.parent],
    ref: patchsetRef(change),
    uploader: account(uploader),
    author: account(change.owner),
    createdOn: change.patchsetCreatedOn,
    kind: 'REWORK',
    sizeInsertions: change.insertions,
    sizeDeletions: -change.deletions,
  };
}

function commitMessage(change: ChangeState): string {
  const closes = change.bug === undefined ? '' : `Closes-Bug: #${change.bug}\n`;
  return `${change.subject}\n\nSee the linked bug and the release note for details.\n\n${closes}Change-Id: ${change.changeId}\n`;
}

/** A label vote as Gerrit reports it: values are strings, `oldValue` only when this event changed it. */
export interface Approval {
  type: string;
  description: string;
  value: string;
  oldValue?: string;
}

export function approval(label: string, value: number, oldValue?: number): Approval {
  const vote: Approval = { type: label, description: label, value: String(value) };
  if (oldValue !== undefined) vote.oldValue = String(oldValue);
  return vote;
}

/** `+2`, `-1`, `0`: how Gerrit's comment text shows a vote. */
export function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value);
}
