import { launchpad } from '@firehose/schema';
import type { Timeline } from './timeline.js';

/** A Launchpad bug as the demo tracks it; events carry a snapshot of it, like lpmqtt did. */
export interface BugState {
  readonly project: string;
  readonly number: number;
  readonly title: string;
  readonly reporter: string;
  readonly tags: string[];
  commenters: string[];
  status: string;
  importance: string;
  assignee: string | undefined;
}

/** Launchpad's bot that comments when a change mentioning a bug is proposed or merged. */
export const INFRA_BOT = 'hudson-openstack';

export function bugEvent(
  timeline: Timeline,
  bug: BugState,
  eventType: 'bug-created' | 'bug-updated' | 'bug-comment',
  modifier: string,
  body: string,
  time: number,
): void {
  if (eventType === 'bug-comment' && !bug.commenters.includes(modifier))
    bug.commenters = [...bug.commenters, modifier];
  timeline.emit(
    launchpad.bug,
    { project: bug.project, bug: String(bug.number) },
    {
      project: bug.project,
      'bug-number': bug.number,
      'event-type': eventType,
      title: bug.title,
      'bug-reporter': bug.reporter,
      'bug-modifier': modifier,
      commenters: bug.commenters,
      status: bug.status,
      importance: bug.importance,
      ...(bug.assignee === undefined ? {} : { assignee: bug.assignee }),
      tags: bug.tags,
      body,
    },
    time,
  );
}
