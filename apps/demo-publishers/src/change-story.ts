import type { ChangeState } from './change-state.js';
import { changeUrl } from './change-state.js';
import { approval } from './gerrit-data.js';
import * as events from './gerrit-events.js';
import { bugEvent, INFRA_BOT, type BugState } from './launchpad-events.js';
import { contributors, coreReviewers, proposalBot, zuulAccount, type Person } from './people.js';
import { branches, projects } from './projects.js';
import { commitSubject, reviewComment } from './subjects.js';
import { epochSeconds, type Story, type Timeline } from './timeline.js';
import type { World } from './world.js';
import { changeItem, pipelineStory, runPipeline, type QueueItem } from './zuul-run.js';

// Human think time between steps, in simulated milliseconds. Compressed: a change goes from
// upload to merge in minutes, so a demo shows whole stories.
const think = (world: World, min = 10, max = 90) => world.rng.between(min * 1000, max * 1000);
const MAX_ROUNDS = 4;

function newChange(world: World, start: number): ChangeState {
  const { rng } = world;
  const project = rng.weighted(projects.map((p) => [p, p.weight] as const));
  const routine = rng.chance(0.1);
  const owner = routine ? proposalBot : rng.pick(contributors);
  const number = world.changeNumber();
  return {
    project,
    branch: routine ? 'master' : rng.weighted(branches),
    number,
    changeId: `I${rng.hex(40)}`,
    subject: commitSubject(rng, routine),
    owner,
    createdOn: epochSeconds(start),
    bug: project.launchpad !== undefined && !routine && rng.chance(0.3) ? world.bugNumber() : undefined,
    patchset: 1,
    revision: rng.hex(40),
    parent: rng.hex(40),
    patchsetCreatedOn: epochSeconds(start),
    status: 'NEW',
    insertions: rng.int(1, 400),
    deletions: rng.int(0, 120),
  };
}

function newPatchset(world: World, change: ChangeState, time: number): void {
  change.patchset += 1;
  change.revision = world.rng.hex(40);
  change.patchsetCreatedOn = epochSeconds(time);
  change.insertions += world.rng.int(-5, 30);
}

/** The bug a change closes: Launchpad's bot comments on it, like OpenStack's did. */
function linkedBug(world: World, change: ChangeState): BugState | undefined {
  if (change.bug === undefined || change.project.launchpad === undefined) return undefined;
  const owner = change.owner.username;
  return {
    project: change.project.launchpad,
    number: change.bug,
    title: change.subject,
    reporter: owner,
    tags: [],
    commenters: [owner],
    status: 'In Progress',
    importance: world.rng.pick(['Medium', 'High', 'Low']),
    assignee: owner,
  };
}

/**
 * One change from upload to merge (or abandonment): patch set → check → Verified → reviews →
 * +2/Workflow+1 → gate → Verified+2 → merged → ref updated → promote and post pipelines.
 */
export function* changeStory(world: World, timeline: Timeline, start: number): Story {
  const { rng } = world;
  const change = newChange(world, start);
  const bug = linkedBug(world, change);
  let t = start;
  events.patchsetCreated(timeline, change, change.owner, t);
  if (bug !== undefined)
    bugEvent(
      timeline,
      bug,
      'bug-comment',
      INFRA_BOT,
      `Fix proposed to ${change.project.name} (${change.branch})\n\nReviewed:  ${changeUrl(change)}`,
      t + think(world, 5, 20),
    );
  if (rng.chance(0.2))
    events.topicChanged(timeline, change, `bug/${change.bug ?? change.number}`, t + think(world, 1, 5));
  const reviewers = rng.sample(coreReviewers, rng.int(1, 3));
  for (const reviewer of reviewers)
    if (rng.chance(0.4)) events.reviewerAdded(timeline, change, reviewer, t + think(world, 1, 10));

  for (let round = 0; round < MAX_ROUNDS; round++) {
    const check = yield* runPipeline(
      timeline,
      rng,
      changeItem(change),
      'check',
      change.project.check,
      t + rng.between(2_000, 8_000),
    );
    t = check.end + think(world);
    yield t;
    if (!check.passed) {
      if (rng.chance(0.5)) {
        // Blame the flaky job and ask Zuul again.
        events.commentAdded(timeline, change, change.owner, [], 'recheck', t);
      } else {
        newPatchset(world, change, t);
        events.patchsetCreated(timeline, change, change.owner, t);
      }
      continue;
    }
    const outcome = review(world, timeline, change, reviewers, t);
    t = outcome.end;
    yield t;
    if (outcome.verdict === 'abandon') {
      change.status = 'ABANDONED';
      events.changeAbandoned(timeline, change, change.owner, 'Superseded by another approach.', t);
      return;
    }
    if (outcome.verdict === 'revise') {
      newPatchset(world, change, t);
      events.patchsetCreated(timeline, change, change.owner, t);
      continue;
    }
    const gate = yield* runPipeline(
      timeline,
      rng,
      changeItem(change),
      'gate',
      change.project.gate,
      t + rng.between(1_000, 5_000),
    );
    t = gate.end + rng.between(500, 2_000);
    yield t;
    if (!gate.passed) {
      t += think(world);
      events.commentAdded(timeline, change, change.owner, [], 'recheck', t);
      continue;
    }
    merge(world, timeline, change, bug, t);
    return;
  }
  change.status = 'ABANDONED';
  events.changeAbandoned(timeline, change, change.owner, 'Giving up on this one for now.', t + think(world));
}

interface ReviewOutcome {
  readonly verdict: 'approve' | 'revise' | 'abandon';
  readonly end: number;
}

/** Humans review: a few Code-Review votes, then a core's +2 with Workflow+1 — or a -1. */
function review(
  world: World,
  timeline: Timeline,
  change: ChangeState,
  reviewers: readonly Person[],
  start: number,
): ReviewOutcome {
  const { rng } = world;
  let t = start;
  for (const reviewer of rng.sample(
    contributors.filter((p) => p !== change.owner),
    rng.int(0, 2),
  )) {
    const vote = rng.weighted([
      [1, 6],
      [0, 2],
      [-1, 2],
    ] as const);
    // A 0 is a comment without a vote: Gerrit reports the label but no oldValue (nothing changed).
    events.commentAdded(
      timeline,
      change,
      reviewer,
      [vote === 0 ? approval('Code-Review', 0) : approval('Code-Review', vote, 0)],
      reviewComment(rng, vote),
      t,
    );
    t += think(world, 5, 40);
    if (vote < 0) return { verdict: rng.chance(0.15) ? 'abandon' : 'revise', end: t + think(world) };
  }
  const [first, second] = reviewers;
  if (first !== undefined && second !== undefined && second !== first) {
    events.commentAdded(timeline, change, first, [approval('Code-Review', 2, 0)], reviewComment(rng, 2), t);
    t += think(world, 5, 60);
  }
  const approver = second ?? first ?? rng.pick(coreReviewers);
  if (rng.chance(0.1)) {
    events.commentAdded(
      timeline,
      change,
      approver,
      [approval('Code-Review', -1, 0)],
      reviewComment(rng, -1),
      t,
    );
    return { verdict: 'revise', end: t + think(world) };
  }
  events.commentAdded(
    timeline,
    change,
    approver,
    [approval('Code-Review', 2, 0), approval('Workflow', 1, 0)],
    reviewComment(rng, 2),
    t,
  );
  return { verdict: 'approve', end: t + think(world, 1, 4) };
}

/** Zuul submits the gated change; the branch moves; promote and post pipelines run. */
function merge(
  world: World,
  timeline: Timeline,
  change: ChangeState,
  bug: BugState | undefined,
  start: number,
): void {
  const { rng } = world;
  change.status = 'MERGED';
  const newRev = rng.hex(40);
  const oldRev = change.parent;
  events.changeMerged(timeline, change, zuulAccount, newRev, start);
  const branchRef = `refs/heads/${change.branch}`;
  events.refUpdated(
    timeline,
    change.project.name,
    branchRef,
    oldRev,
    newRev,
    zuulAccount,
    start + rng.between(10, 500),
  );
  // Promote and post run in parallel with each other and with the rest of the story.
  if (change.project.promote.length > 0)
    timeline.spawn(
      pipelineStory(
        timeline,
        rng,
        changeItem(change),
        'promote',
        change.project.promote,
        start + rng.between(2_000, 6_000),
      ),
    );
  if (rng.chance(0.5)) {
    const post: QueueItem = {
      project: change.project,
      branch: change.branch,
      change: undefined,
      ref: branchRef,
      revision: newRev,
      oldRevision: oldRev,
    };
    timeline.spawn(
      pipelineStory(
        timeline,
        rng,
        post,
        'post',
        change.project.check.slice(0, 1),
        start + rng.between(2_000, 6_000),
      ),
    );
  }
  if (bug !== undefined) {
    bug.status = 'Fix Released';
    bugEvent(
      timeline,
      bug,
      'bug-updated',
      INFRA_BOT,
      `Reviewed:  ${changeUrl(change)}\nCommitted: ${newRev}\nSubmitter: Zuul\nBranch:    ${change.branch}`,
      start + think(world, 10, 40),
    );
  }
}
