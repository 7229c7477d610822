import { gearmanLogstash, gearmanSubunit, gerrit, zuul } from '@firehose/schema';
import { changeUrl, patchsetRef, type ChangeState } from './change-state.js';
import { account, approval, changeJson, patchSetJson } from './gerrit-data.js';
import { zuulAccount } from './people.js';
import type { JobSpec, ProjectSpec } from './projects.js';
import type { Random } from './random.js';
import { epochSeconds, type Story, type Timeline } from './timeline.js';

/**
 * Pipelines the demo runs: `check` and `gate` vote on changes; `promote` runs for a change after it
 * merged; `post` (after a ref update) and `periodic` (on a timer) run for a branch, not a change.
 */
export type Pipeline = 'check' | 'gate' | 'promote' | 'post' | 'periodic';

/** What Zuul enqueued: a change, or a branch (post and periodic items have no change). */
export interface QueueItem {
  readonly project: ProjectSpec;
  readonly branch: string;
  readonly change: ChangeState | undefined;
  /** Ref Zuul tested: the change's patch set ref or `refs/heads/<branch>`. */
  readonly ref: string;
  readonly revision: string;
  /** Previous revision, for post items. */
  readonly oldRevision?: string;
}

export interface PipelineRun {
  /** When Zuul reported (and, for check/gate, voted). */
  readonly end: number;
  /** True when every voting job succeeded. */
  readonly passed: boolean;
}

interface BuildResult {
  readonly job: JobSpec;
  readonly uuid: string;
  readonly start: number;
  readonly end: number;
  readonly result: 'SUCCESS' | 'FAILURE' | 'POST_FAILURE' | 'TIMED_OUT';
  readonly logUrl: string;
}

const LOG_FILES = [
  'job-output.txt',
  'zuul-info/inventory.yaml',
  'logs/syslog.txt',
  'logs/screen-n-cpu.txt',
  'logs/screen-q-svc.txt',
  'logs/tempest.log',
] as const;
const logstashWorkers = Array.from(
  { length: 16 },
  (_, i) => `logstash-worker${String(i + 1).padStart(2, '0')}.openstack.org`,
);
const subunitWorkers = ['subunit-worker01.openstack.org', 'subunit-worker02.openstack.org'] as const;

/**
 * Demo time runs faster than real CI: a tempest job that takes an hour upstream takes minutes here,
 * so a newcomer sees whole stories (upload → merge) while the demo runs.
 */
const TIME_SCALE = 0.5;

/** Votes Zuul casts per pipeline; promote does not vote. */
const VOTES: Record<Pipeline, readonly [number, number] | undefined> = {
  check: [1, -1],
  gate: [2, -2],
  promote: undefined,
  post: undefined,
  periodic: undefined,
};

/** The change level of topics: the change number, or `-` (zuul) / the pipeline (gearman) for branch items. */
function changeLevel(item: QueueItem, placeholder: string): string {
  return item.change === undefined ? placeholder : String(item.change.number);
}

function logUrl(rng: Random, uuid: string, item: QueueItem, pipeline: Pipeline, job: JobSpec): string {
  const region = rng.pick(['bhs', 'gra', 'sjc', 'dfw']);
  const where =
    item.change === undefined
      ? `${item.revision.slice(0, 2)}/${item.revision}`
      : `${item.change.number}/${item.change.patchset}`;
  return `https://${region}.logs.example.org/zuul_opendev_logs_${uuid.slice(0, 3)}/${where}/${pipeline}/${job.name}/${uuid.slice(0, 7)}/`;
}

/** Runs one buildset: each job in parallel, with its own duration and chance of failure. */
function runBuilds(
  rng: Random,
  item: QueueItem,
  pipeline: Pipeline,
  jobs: readonly JobSpec[],
  start: number,
): BuildResult[] {
  return jobs.map((job) => {
    const uuid = rng.hex(32);
    // Nodes come up at different times; durations vary ±40% around the job's typical length.
    const buildStart = start + rng.between(2_000, 15_000);
    // Changes reach the gate having passed check, so gate failures are rarer (flaky tests, races).
    const failed = rng.chance(pipeline === 'gate' ? job.failure / 2 : job.failure);
    const result = failed
      ? rng.weighted([
          ['FAILURE', 8],
          ['POST_FAILURE', 1],
          ['TIMED_OUT', 1],
        ] as const)
      : 'SUCCESS';
    const seconds = job.seconds * TIME_SCALE * rng.between(0.6, 1.4) * (result === 'TIMED_OUT' ? 1.5 : 1);
    return {
      job,
      uuid,
      start: buildStart,
      end: buildStart + seconds * 1000,
      result,
      logUrl: logUrl(rng, uuid, item, pipeline, job),
    };
  });
}

/** After a build, the gearman workers fetch its logs into logstash and its subunit stream into the test DB. */
function emitLogProcessing(
  timeline: Timeline,
  rng: Random,
  item: QueueItem,
  pipeline: Pipeline,
  build: BuildResult,
): void {
  const project = item.project.name;
  const change = changeLevel(item, pipeline === 'periodic' ? 'periodic' : 'post');
  const common = {
    build_uuid: build.uuid,
    build_name: build.job.name,
    build_queue: pipeline,
    project,
    ...(item.change === undefined
      ? {}
      : { build_change: item.change.number, build_patchset: item.change.patchset }),
  };
  const files = build.job.subunit ? LOG_FILES : LOG_FILES.slice(0, 2);
  let time = build.end + rng.between(3_000, 20_000);
  for (const file of files) {
    // A log the job never produced (it failed early) is a failed retrieval.
    const status = build.result !== 'SUCCESS' && rng.chance(0.3) ? 'failed' : 'success';
    timeline.emit(
      gearmanLogstash.retrieveLogs,
      { host: rng.pick(logstashWorkers), project, change },
      { ...common, status, source_url: build.logUrl + file },
      time,
    );
    time += rng.between(200, 3_000);
  }
  if (build.job.subunit) {
    const status = build.result === 'SUCCESS' || rng.chance(0.7) ? 'success' : 'failed';
    timeline.emit(
      gearmanSubunit.pushSubunit,
      { host: rng.pick(subunitWorkers), project, change },
      { ...common, status, source_url: `${build.logUrl}testrepository.subunit` },
      time,
    );
  }
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

/** Zuul's Gerrit comment: one line per job, non-voting ones marked. */
function zuulComment(
  pipeline: Pipeline,
  passed: boolean,
  buildsetUrl: string,
  builds: readonly BuildResult[],
): string {
  const lines = builds.map(
    (b) =>
      `- ${b.job.name} ${b.logUrl} : ${b.result} in ${duration(b.end - b.start)}${b.job.voting ? '' : ' (non-voting)'}`,
  );
  return `Build ${passed ? 'succeeded' : 'failed'} (${pipeline} pipeline).\n\n${buildsetUrl}\n\n${lines.join('\n')}\n`;
}

/**
 * Runs one Zuul buildset: start report, parallel builds, log processing, the result report and —
 * for check and gate — Zuul's Verified vote on the change in Gerrit.
 */
export function* runPipeline(
  timeline: Timeline,
  rng: Random,
  item: QueueItem,
  pipeline: Pipeline,
  jobs: readonly JobSpec[],
  start: number,
): Generator<number, PipelineRun, void> {
  const { project, change } = item;
  const itemUuid = rng.hex(32);
  const buildsetUuid = rng.hex(32);
  const tenant = project.tenant;
  const params = {
    tenant,
    pipeline,
    project: project.name,
    branch: item.branch,
    change: changeLevel(item, '-'),
  };
  const base = {
    uuid: itemUuid,
    tenant,
    pipeline,
    project: project.name,
    branch: item.branch,
    ...(change === undefined
      ? { oldrev: item.oldRevision ?? '0'.repeat(40), newrev: item.revision }
      : { change_url: changeUrl(change), change: change.number, patchset: String(change.patchset) }),
    ref: item.ref,
    commit_id: item.revision,
    trigger_time: epochSeconds(start),
    enqueue_time: epochSeconds(start) + 0.4,
    zuul_event_id: rng.hex(32),
  };
  const pending = jobs.map((job) => ({ job_name: job.name, voting: job.voting, result: null }));
  timeline.emit(
    zuul.report,
    params,
    {
      ...base,
      action: 'start',
      message: `Starting ${pipeline} jobs.`,
      buildset: { uuid: buildsetUuid, result: null, builds: pending },
    },
    start,
  );

  const builds = runBuilds(rng, item, pipeline, jobs, start);
  // Everything below happens after the first build ends; wait until then.
  yield builds.length === 0 ? start : Math.min(...builds.map((b) => b.end));
  for (const build of builds) emitLogProcessing(timeline, rng, item, pipeline, build);

  const passed = builds.every((b) => !b.job.voting || b.result === 'SUCCESS');
  const end = Math.max(start, ...builds.map((b) => b.end)) + rng.between(1_000, 4_000);
  const buildsetUrl = `https://zuul.opendev.org/t/${tenant}/buildset/${buildsetUuid}`;
  const message = zuulComment(pipeline, passed, buildsetUrl, builds);
  const reported = builds.map((b) => ({
    job_name: b.job.name,
    uuid: b.uuid,
    voting: b.job.voting,
    result: b.result,
    log_url: b.logUrl,
    web_url: `https://zuul.opendev.org/t/${tenant}/build/${b.uuid}`,
    start_time: b.start / 1000,
    end_time: b.end / 1000,
  }));
  const action = passed ? 'success' : 'failure';
  timeline.emit(
    zuul.report,
    params,
    {
      ...base,
      action,
      message,
      buildset: { uuid: buildsetUuid, result: passed ? 'SUCCESS' : 'FAILURE', builds: reported },
    },
    end,
  );

  const votes = VOTES[pipeline];
  if (votes === undefined || change === undefined) return { end, passed };
  const vote = passed ? votes[0] : votes[1];
  const time = end + rng.between(500, 2_000);
  timeline.emit(
    gerrit.commentAdded,
    { project: project.name },
    {
      type: 'comment-added',
      eventCreatedOn: epochSeconds(time),
      change: changeJson(change),
      patchSet: patchSetJson(change, change.owner),
      author: account(zuulAccount),
      approvals: [approval('Verified', vote, 0)],
      comment: `Patch Set ${change.patchset}: Verified${vote > 0 ? '+' : ''}${vote}\n\n${message}`,
    },
    time,
  );
  return { end: time, passed };
}

/** A pipeline run as a story of its own, to run beside another (promote and post after a merge). */
export function* pipelineStory(...args: Parameters<typeof runPipeline>): Story {
  yield* runPipeline(...args);
}

/** A queue item for a change's current patch set. */
export function changeItem(change: ChangeState): QueueItem {
  return {
    project: change.project,
    branch: change.branch,
    change,
    ref: patchsetRef(change),
    revision: change.revision,
  };
}
