import type { StreamItem } from '../../model/stream-item.js';
import { resultTone, zuulFields } from '../../model/zuul-fields.js';
import { formatDuration } from '../format-time.js';

const toneMark = { good: '\u2713', bad: '\u2717', neutral: '\u2022' } as const;

/** Jobs a row shows before "+N more": failing ones always come first, so a failure is never cut off. */
const SHOWN_JOBS = 3;
const toneOrder = { bad: 0, neutral: 1, good: 2 } as const;

/** Zuul: pipeline, change, each job's result (with a text mark), non-voting marker and log link. */
export function ZuulLine({ item }: { item: StreamItem }) {
  const fields = zuulFields(item.event.data);
  // Stable sort: failing jobs first, then running/other, then passed, each in Zuul's order.
  const jobs = [...fields.jobs].sort(
    (a, b) => toneOrder[resultTone(a.result)] - toneOrder[resultTone(b.result)],
  );
  const failing = jobs.filter((job) => resultTone(job.result) === 'bad').length;
  const shown = jobs.slice(0, Math.max(SHOWN_JOBS, failing));
  const hidden = jobs.length - shown.length;
  const context = item.zuul;
  return (
    <span class="domain">
      {fields.pipeline && <span class="pipeline">{fields.pipeline}</span>}
      {fields.change &&
        (fields.changeUrl ? (
          <a href={fields.changeUrl} target="_blank" rel="noreferrer" class="change" onClick={stop}>
            #{fields.change}
          </a>
        ) : (
          <span class="change">#{fields.change}</span>
        ))}
      {fields.patchset && (
        <span class="muted" title="patch set">
          PS{fields.patchset}
        </span>
      )}
      {fields.project && <span class="project">{fields.project}</span>}
      {fields.action && (
        <span class={`result tone-${resultTone(fields.result ?? fields.action)}`}>{fields.action}</span>
      )}
      {context && context.attempt > 1 && <span class="attempt">attempt {context.attempt}</span>}
      {context?.queuedMs !== undefined && (
        <span class="queued">queued {formatDuration(context.queuedMs)}</span>
      )}
      {shown.map((job) => {
        const tone = resultTone(job.result);
        return (
          <span key={job.name} class={`job tone-${tone}`}>
            <span aria-hidden="true">{toneMark[tone]} </span>
            {job.name} {job.result ?? 'running'}
            {!job.voting && <span class="non-voting"> (non-voting)</span>}
            {job.logUrl && (
              <>
                {' '}
                <a
                  href={job.logUrl}
                  target="_blank"
                  rel="noreferrer"
                  onClick={stop}
                  aria-label={`logs of ${job.name}`}
                >
                  logs
                </a>
              </>
            )}
          </span>
        );
      })}
      {hidden > 0 && (
        <span
          class="job-more"
          title={jobs
            .slice(shown.length)
            .map((job) => `${job.name} ${job.result ?? 'running'}`)
            .join('\n')}
        >
          +{hidden} more
        </span>
      )}
    </span>
  );
}

function stop(event: Event): void {
  event.stopPropagation();
}
