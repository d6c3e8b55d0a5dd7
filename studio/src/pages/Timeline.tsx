import { formatDuration, STATUS_CLASS } from '../format';
import type { StepRun } from '../types';

/** One bar of the timeline: a step's wait in the queue, then its run, in ms from the run's first moment. */
export interface Bar {
  step: string;
  status: string;
  attempt: number;
  reused: boolean;
  /** Milliseconds from the timeline's start; undefined when that moment has not come (or was not recorded). */
  queued?: number;
  started?: number;
  ended?: number;
}

/**
 * The bars of a run's timeline and its span: times relative to the earliest queue or start time of any step, open
 * bars (running, queued) reaching to `now`. Steps that never queued (reused, not started) have no times.
 */
export function timelineOf(steps: StepRun[], now: number): { bars: Bar[]; span: number } {
  const t = (iso?: string) => (iso ? Date.parse(iso) : undefined);
  const moments = steps.flatMap((s) => [t(s.queuedAt), t(s.startedAt)]).filter((x): x is number => x !== undefined);
  const origin = moments.length ? Math.min(...moments) : now;
  let end = origin;
  const bars = steps.map((s): Bar => {
    const rel = (x?: number) => (x === undefined ? undefined : Math.max(0, x - origin));
    const bar: Bar = {
      step: s.name,
      status: s.status,
      attempt: s.attempt,
      reused: s.reused,
      queued: s.reused ? undefined : rel(t(s.queuedAt)),
      started: s.reused ? undefined : rel(t(s.startedAt)),
      ended: s.reused ? undefined : rel(t(s.endedAt)),
    };
    for (const x of [bar.queued, bar.started, bar.ended]) if (x !== undefined) end = Math.max(end, origin + x);
    if ((bar.queued !== undefined || bar.started !== undefined) && bar.ended === undefined) end = Math.max(end, now); // still open: the bar grows to now
    return bar;
  });
  return { bars, span: Math.max(end - origin, 1) };
}

function describe(b: Bar, span: number): string {
  if (b.reused) return 'reused, did not run';
  if (b.queued === undefined && b.started === undefined) return 'not started';
  const parts: string[] = [];
  if (b.queued !== undefined) parts.push(`queued at +${formatDuration(b.queued)}`);
  if (b.started !== undefined) {
    const wait = b.queued !== undefined ? `, waited ${formatDuration(b.started - b.queued)}` : '';
    parts.push(`started at +${formatDuration(b.started)}${wait}`);
  }
  if (b.ended !== undefined)
    parts.push(`ended at +${formatDuration(b.ended)}, ran ${formatDuration(b.ended - (b.started ?? b.ended))}`);
  else parts.push(`still ${b.started !== undefined ? 'running' : 'queued'} at +${formatDuration(span)}`);
  return parts.join('; ');
}

/**
 * The run's steps on a time axis (a Gantt chart): for each step the wait in the queue (hatched) and the run (solid),
 * coloured by status; a retried step's bar spans its attempts. A list, so each bar is read out in words too.
 */
export function Timeline(props: { steps: StepRun[] }) {
  const { bars, span } = timelineOf(props.steps, Date.now());
  const pct = (ms: number) => `${((ms / span) * 100).toFixed(2)}%`;
  const ordered = [...bars].sort(
    (a, b) => (a.queued ?? a.started ?? Infinity) - (b.queued ?? b.started ?? Infinity) || (a.step < b.step ? -1 : 1),
  );
  return (
    <section aria-labelledby="timeline-title" class="timeline">
      <h2 id="timeline-title">Timeline</h2>
      <p class="muted small">
        0 to {formatDuration(span)}: hatched while queued, solid while running. A retried step's bar spans its attempts.
      </p>
      <ol class="gantt">
        {ordered.map((b) => {
          const from = b.queued ?? b.started;
          const runFrom = b.started;
          const to = b.ended ?? span;
          return (
            <li
              key={b.step}
              class={STATUS_CLASS[b.status] ?? 'st-idle'}
              data-gantt-step={b.step}
              data-queued={b.queued}
              data-started={b.started}
              data-ended={b.ended}
            >
              <span class="gantt-name">
                {b.step}
                {b.attempt > 1 ? <span class="muted"> ({b.attempt} attempts)</span> : null}
              </span>
              <span class="gantt-track" aria-hidden="true" title={describe(b, span)}>
                {from !== undefined && (
                  <span
                    class="gantt-wait"
                    style={{ left: pct(from), width: pct(Math.max((runFrom ?? to) - from, span / 400)) }}
                  />
                )}
                {runFrom !== undefined && (
                  <span
                    class="gantt-run"
                    style={{ left: pct(runFrom), width: pct(Math.max(to - runFrom, span / 400)) }}
                  />
                )}
              </span>
              <span class="sr-only">
                {b.status}: {describe(b, span)}
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
