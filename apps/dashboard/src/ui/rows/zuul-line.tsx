import type { StreamItem } from '../../model/stream-item.js';
import { resultTone, zuulFields } from '../../model/zuul-fields.js';

const toneMark = { good: '\u2713', bad: '\u2717', neutral: '\u2022' } as const;

/** Zuul: pipeline, change, each job's result (with a text mark), non-voting marker and log link. */
export function ZuulLine({ item }: { item: StreamItem }) {
  const fields = zuulFields(item.event.data);
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
      {fields.patchset && <span class="muted" title="patch set">PS{fields.patchset}</span>}
      {fields.project && <span class="project">{fields.project}</span>}
      {fields.action && <span class={`result tone-${resultTone(fields.result ?? fields.action)}`}>{fields.action}</span>}
      {fields.jobs.map((job) => {
        const tone = resultTone(job.result);
        return (
          <span key={job.name} class={`job tone-${tone}`}>
            <span aria-hidden="true">{toneMark[tone]} </span>
            {job.name} {job.result ?? 'running'}
            {!job.voting && <span class="non-voting"> (non-voting)</span>}
            {job.logUrl && (
              <>
                {' '}
                <a href={job.logUrl} target="_blank" rel="noreferrer" onClick={stop} aria-label={`logs of ${job.name}`}>
                  logs
                </a>
              </>
            )}
          </span>
        );
      })}
    </span>
  );
}

function stop(event: Event): void {
  event.stopPropagation();
}
