import type { Person } from './people.js';
import type { ProjectSpec } from './projects.js';

/** What the simulation knows about one Gerrit change as its story unfolds. */
export interface ChangeState {
  readonly project: ProjectSpec;
  readonly branch: string;
  readonly number: number;
  /** Gerrit's Change-Id, `I` + 40 hex digits. */
  readonly changeId: string;
  readonly subject: string;
  readonly owner: Person;
  /** Seconds since the epoch. */
  readonly createdOn: number;
  /** Launchpad bug this change closes, if any. */
  readonly bug: number | undefined;
  patchset: number;
  revision: string;
  parent: string;
  patchsetCreatedOn: number;
  status: 'NEW' | 'MERGED' | 'ABANDONED';
  insertions: number;
  deletions: number;
}

const GERRIT_URL = 'https://review.opendev.org';

export function changeUrl(change: Pick<ChangeState, 'project' | 'number'>): string {
  return `${GERRIT_URL}/c/${change.project.name}/+/${change.number}`;
}

/** `refs/changes/45/912345/2`: Gerrit shards change refs by the last two digits. */
export function patchsetRef(change: Pick<ChangeState, 'number' | 'patchset'>): string {
  return `refs/changes/${String(change.number % 100).padStart(2, '0')}/${change.number}/${change.patchset}`;
}
