import * as changes from './gerrit-change-events.js';
import * as projects from './gerrit-project-events.js';

/** Gerrit stream-events (code review), keyed by the camelCase event name. */
export const gerrit = {
  changeAbandoned: changes.changeAbandoned,
  changeDeleted: changes.changeDeleted,
  changeMerged: changes.changeMerged,
  changeRestored: changes.changeRestored,
  commentAdded: changes.commentAdded,
  draftPublished: changes.draftPublished,
  hashtagsChanged: changes.hashtagsChanged,
  mergeFailed: changes.mergeFailed,
  patchsetCreated: changes.patchsetCreated,
  privateStateChanged: changes.privateStateChanged,
  projectCreated: projects.projectCreated,
  projectHeadUpdated: projects.projectHeadUpdated,
  refUpdated: projects.refUpdated,
  batchRefUpdated: projects.batchRefUpdated,
  refReplicated: projects.refReplicated,
  reviewerAdded: changes.reviewerAdded,
  reviewerDeleted: changes.reviewerDeleted,
  topicChanged: changes.topicChanged,
  voteDeleted: changes.voteDeleted,
  wipStateChanged: changes.wipStateChanged,
  droppedOutput: projects.droppedOutput,
} as const;
