import { gerrit } from '@firehose/schema';
import { refUpdated } from './gerrit-events.js';
import { operators, proposalBot } from './people.js';
import { projects } from './projects.js';
import { epochSeconds, type Story, type Timeline } from './timeline.js';
import type { World } from './world.js';
import { runPipeline } from './zuul-run.js';

/**
 * Things that happen outside a change: admins push `All-Projects` config (a one-level project),
 * the release bot pushes tags, new projects appear, and Zuul's periodic pipeline runs.
 */
export function* infraStory(world: World, timeline: Timeline, start: number): Story {
  const { rng } = world;
  const kind = rng.weighted([
    ['all-projects', 2],
    ['tag', 3],
    ['project-created', 1],
    ['periodic', 6],
  ] as const);
  switch (kind) {
    case 'all-projects':
      refUpdated(
        timeline,
        'All-Projects',
        'refs/meta/config',
        rng.hex(40),
        rng.hex(40),
        rng.pick(operators),
        start,
      );
      break;
    case 'tag': {
      const project = rng.pick(projects);
      const tag = `refs/tags/${rng.int(25, 31)}.${rng.int(0, 4)}.${rng.int(0, 3)}`;
      refUpdated(timeline, project.name, tag, '0'.repeat(40), rng.hex(40), proposalBot, start);
      break;
    }
    case 'project-created': {
      const name = `x/${rng.pick(['ci', 'ops', 'tools'])}/${rng.pick(['sandbox', 'metrics', 'janitor', 'reporter'])}-${rng.int(1, 999)}`;
      timeline.emit(
        gerrit.projectCreated,
        { project: name },
        {
          type: 'project-created',
          eventCreatedOn: epochSeconds(start),
          projectName: name,
          projectHead: 'refs/heads/master',
        },
        start,
      );
      refUpdated(
        timeline,
        name,
        'refs/heads/master',
        '0'.repeat(40),
        rng.hex(40),
        rng.pick(operators),
        start + rng.between(500, 3_000),
      );
      break;
    }
    case 'periodic': {
      const project = rng.pick(projects);
      const revision = rng.hex(40);
      const item = { project, branch: 'master', change: undefined, ref: 'refs/heads/master', revision };
      yield* runPipeline(timeline, rng, item, 'periodic', project.check.slice(0, rng.int(1, 3)), start);
      break;
    }
  }
}
