import { pick, text } from './data-access.js';

interface ZuulJob {
  readonly name: string;
  /** SUCCESS, FAILURE, ... or undefined while running. */
  readonly result: string | undefined;
  readonly voting: boolean;
  readonly logUrl: string | undefined;
}

/** The parts of a Zuul report a row shows. */
export interface ZuulFields {
  readonly tenant: string | undefined;
  readonly pipeline: string | undefined;
  readonly project: string | undefined;
  readonly change: string | undefined;
  readonly patchset: string | undefined;
  readonly changeUrl: string | undefined;
  readonly action: string | undefined;
  readonly result: string | undefined;
  readonly jobs: readonly ZuulJob[];
}

export function zuulFields(data: unknown): ZuulFields {
  const builds = pick(data, 'buildset', 'builds');
  const jobs: ZuulJob[] = [];
  if (Array.isArray(builds)) {
    for (const build of builds) {
      const name = text(pick(build, 'job_name'));
      if (!name) continue;
      jobs.push({
        name,
        result: text(pick(build, 'result')),
        voting: pick(build, 'voting') !== false,
        logUrl: text(pick(build, 'log_url')),
      });
    }
  }
  const change = text(pick(data, 'change'));
  return {
    tenant: text(pick(data, 'tenant')),
    pipeline: text(pick(data, 'pipeline')),
    project: text(pick(data, 'project')),
    change: change === '-' ? undefined : change,
    patchset: text(pick(data, 'patchset')),
    changeUrl: text(pick(data, 'change_url')),
    action: text(pick(data, 'action')),
    result: text(pick(data, 'buildset', 'result')),
    jobs,
  };
}

/** How a result reads and which way it leans; the word is always shown, colour only supports it. */
export function resultTone(result: string | undefined): 'good' | 'bad' | 'neutral' {
  if (!result) return 'neutral';
  const upper = result.toUpperCase();
  if (upper === 'SUCCESS' || upper === 'OK' || upper === 'MERGED') return 'good';
  if (/FAIL|ERROR|TIMED_OUT|POST_FAILURE|RETRY_LIMIT|UNREACHABLE|MERGE_CONFLICT|NODE_FAILURE/.test(upper))
    return 'bad';
  return 'neutral';
}
