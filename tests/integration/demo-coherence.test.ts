import { createSimulation, type SimulatedEvent } from '@firehose/demo-publishers';
import { describe, expect, it } from 'vitest';

// One change's story across services must read like the real thing: patch set → check → Verified
// → reviews → Workflow+1 → gate → Verified+2 → merged → ref updated, all sharing the change number.
const START = Date.UTC(2026, 10, 25, 12, 0, 0);

interface Step {
  readonly time: number;
  readonly label: string;
}

/** The change number an event is about, whichever service sent it. */
function changeOf(event: SimulatedEvent): number | undefined {
  const data = event.data as Record<string, unknown>;
  if (event.service === 'gerrit') return (data.change as { number?: number } | undefined)?.number;
  if (event.service === 'zuul') return typeof data.change === 'number' ? data.change : undefined;
  if (event.service.startsWith('gearman-'))
    return typeof data.build_change === 'number' ? data.build_change : undefined;
  return undefined;
}

/** A short label per step: `gerrit:patchset-created`, `zuul:gate:success`, `gerrit:vote:Verified+2`. */
function label(event: SimulatedEvent): string {
  const data = event.data as Record<string, unknown>;
  if (event.service === 'zuul') return `zuul:${String(data.pipeline)}:${String(data.action)}`;
  if (event.type === 'gerrit.comment-added') {
    const votes = (data.approvals as { type: string; value: string; oldValue?: string }[]).filter(
      (a) => a.oldValue !== undefined,
    );
    return votes.length === 0
      ? 'gerrit:comment'
      : `gerrit:vote:${votes.map((a) => `${a.type}${Number(a.value) > 0 ? '+' : ''}${a.value}`).join(',')}`;
  }
  return `${event.service}:${event.type.split('.')[1] ?? ''}`;
}

function indexOf(steps: readonly Step[], wanted: string, from = 0): number {
  const index = steps.findIndex((s, i) => i >= from && s.label === wanted);
  expect(
    index,
    `${wanted} after step ${from} in ${steps.map((s) => s.label).join(' → ')}`,
  ).toBeGreaterThanOrEqual(from);
  return index;
}

describe('demo coherence', { timeout: 60_000 }, () => {
  // warmup 0: every story starts inside the window, so it is seen from its first event.
  const events = createSimulation({ seed: 2026, start: START, warmup: 0 }).take(START + 90 * 60_000);
  const byChange = new Map<number, SimulatedEvent[]>();
  for (const event of events) {
    const change = changeOf(event);
    if (change !== undefined) byChange.set(change, [...(byChange.get(change) ?? []), event]);
  }
  const merged = [...byChange.values()].filter((story) =>
    story.some((e) => e.type === 'gerrit.change-merged'),
  );

  it('merges changes whose gerrit and zuul events share the change number', () => {
    expect(merged.length).toBeGreaterThan(20);
    for (const story of merged) {
      const services = new Set(story.map((e) => e.service));
      expect(services.has('gerrit') && services.has('zuul') && services.has('gearman-logstash')).toBe(true);
    }
  });

  it('tells each merged change in a plausible order', () => {
    for (const story of merged) {
      const steps = story.map((e) => ({ time: e.time, label: label(e) }));
      expect(steps[0]!.label).toBe('gerrit:patchset-created');
      const checkStart = indexOf(steps, 'zuul:check:start');
      const checkDone = indexOf(steps, 'zuul:check:success', checkStart);
      const verified = indexOf(steps, 'gerrit:vote:Verified+1', checkDone);
      const approved = indexOf(steps, 'gerrit:vote:Code-Review+2,Workflow+1', verified);
      const gateStart = indexOf(steps, 'zuul:gate:start', approved);
      const gateDone = indexOf(steps, 'zuul:gate:success', gateStart);
      const gateVote = indexOf(steps, 'gerrit:vote:Verified+2', gateDone);
      const mergedAt = indexOf(steps, 'gerrit:change-merged', gateVote);
      // Only the post-merge tail (promote, log processing, Launchpad) may follow the merge.
      const after = steps.slice(mergedAt + 1).map((s) => s.label);
      expect(after.every((l) => l.startsWith('zuul:promote') || l.startsWith('gearman-'))).toBe(true);
    }
  });

  it('moves the branch after the merge', () => {
    for (const story of merged.slice(0, 10)) {
      const merge = story.find((e) => e.type === 'gerrit.change-merged')!;
      const data = merge.data as { newRev: string; change: { project: string; branch: string } };
      const update = events.find(
        (e) =>
          e.type === 'gerrit.ref-updated' &&
          (e.data as { refUpdate: { newRev: string } }).refUpdate.newRev === data.newRev,
      );
      expect(update).toBeDefined();
      expect(update!.time).toBeGreaterThanOrEqual(merge.time);
      expect(update!.topic).toBe(`gerrit/${data.change.project}/ref-updated`);
      expect((update!.data as { refUpdate: { refName: string } }).refUpdate.refName).toBe(
        `refs/heads/${data.change.branch}`,
      );
    }
  });

  it('processes logs only after the build ran and before nothing it depends on', () => {
    for (const story of merged.slice(0, 10)) {
      const reports = story.filter(
        (e) => e.service === 'zuul' && (e.data as { action: string }).action !== 'start',
      );
      for (const log of story.filter((e) => e.service.startsWith('gearman-'))) {
        const uuid = (log.data as { build_uuid: string }).build_uuid;
        const report = reports.find((r) =>
          (r.data as { buildset: { builds: { uuid?: string; end_time?: number }[] } }).buildset.builds.some(
            (b) => b.uuid === uuid,
          ),
        );
        expect(report).toBeDefined();
        const build = (
          report!.data as { buildset: { builds: { uuid?: string; end_time?: number }[] } }
        ).buildset.builds.find((b) => b.uuid === uuid)!;
        expect(log.time).toBeGreaterThanOrEqual(build.end_time! * 1000);
      }
    }
  });
});
