import { bugEvent, type BugState } from './launchpad-events.js';
import { contributors, coreReviewers } from './people.js';
import { projects } from './projects.js';
import { commitSubject } from './subjects.js';
import type { Story, Timeline } from './timeline.js';
import type { World } from './world.js';

const TAGS = [
  'low-hanging-fruit',
  'api',
  'libvirt',
  'ovn',
  'gate-failure',
  'upgrade',
  'docs',
  'security',
] as const;
const STATUS_FLOW = ['Confirmed', 'Triaged', 'In Progress'] as const;

/** A Launchpad bug: reported, commented on, triaged, maybe assigned — over a few minutes. */
export function* bugStory(world: World, timeline: Timeline, start: number): Story {
  const { rng } = world;
  const tracked = projects.filter((p) => p.launchpad !== undefined);
  const project = rng.weighted(tracked.map((p) => [p.launchpad ?? '', p.weight] as const));
  const reporter = rng.pick(contributors).username;
  const bug: BugState = {
    project,
    number: world.bugNumber(),
    title:
      commitSubject(rng, false)
        .replace(/^\w+ /, '')
        .replace(/^./, (c) => c.toUpperCase()) + ' fails',
    reporter,
    tags: rng.sample(TAGS, rng.int(0, 2)),
    commenters: [],
    status: 'New',
    importance: 'Undecided',
    assignee: undefined,
  };
  let t = start;
  bugEvent(
    timeline,
    bug,
    'bug-created',
    reporter,
    'Steps to reproduce:\n1. Deploy with the default settings\n2. Run the scenario\n\nExpected: it works.\nActual: a traceback in the logs.',
    t,
  );
  for (let i = rng.int(0, 3); i > 0; i--) {
    t += rng.between(15_000, 120_000);
    yield t;
    bugEvent(
      timeline,
      bug,
      'bug-comment',
      rng.pick([...contributors, ...coreReviewers]).username,
      rng.pick([
        'I can reproduce this on master.',
        'Which release is this?',
        'Attaching the full log.',
        'Seen in the gate too.',
      ]),
      t,
    );
  }
  const triager = rng.pick(coreReviewers).username;
  for (const status of STATUS_FLOW.slice(0, rng.int(0, STATUS_FLOW.length))) {
    t += rng.between(20_000, 150_000);
    yield t;
    bug.status = status;
    if (status === 'Triaged')
      bug.importance = rng.weighted([
        ['Low', 3],
        ['Medium', 5],
        ['High', 2],
        ['Critical', 0.3],
      ] as const);
    if (status === 'In Progress') bug.assignee = rng.pick(contributors).username;
    bugEvent(timeline, bug, 'bug-updated', triager, `** Changed in: ${project}\n       Status: ${status}`, t);
  }
}
