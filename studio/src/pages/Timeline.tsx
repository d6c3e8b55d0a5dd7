import { formatDuration, STATUS_CLASS } from '../format';
import { timelineOf, type Bar, type Segment } from '../timeline';
import type { StepRun } from '../types';

function describeAttempt(a: Segment, span: number): string {
  const parts: string[] = [];
  if (a.queued !== undefined) parts.push(`queued at +${formatDuration(a.queued)}`);
  if (a.started !== undefined) {
    const wait = a.queued !== undefined ? `, waited ${formatDuration(a.started - a.queued)}` : '';
    parts.push(`started at +${formatDuration(a.started)}${wait}`);
  }
  if (a.ended !== undefined)
    parts.push(`ended at +${formatDuration(a.ended)}, ran ${formatDuration(a.ended - (a.started ?? a.ended))}`);
  else parts.push(`still ${a.started !== undefined ? 'running' : 'queued'} at +${formatDuration(span)}`);
  return parts.join('; ');
}

/** What an attempt's bar says: its number, how it ended and why, and its times. */
function label(b: Bar, a: Segment, span: number): string {
  const which = b.attempts.length > 1 || a.attempt > 1 ? `attempt ${a.attempt}: ` : '';
  const error = a.error && a.status !== 'Completed' ? ` (${a.error.code}: ${a.error.message})` : '';
  return `${which}${a.status}${error}; ${describeAttempt(a, span)}`;
}

function describe(b: Bar, span: number): string {
  if (b.reused) return 'reused, did not run';
  if (b.attempts.length === 0) return 'not started';
  return b.attempts.map((a) => label(b, a, span)).join('. ');
}

/**
 * The run's steps on a time axis (a Gantt chart): for each attempt of a step its wait in the queue (hatched) and its
 * run (solid), coloured by how that attempt went, so a retried step shows a failed bar and then the next. A list, so
 * each bar is read out in words too.
 */
export function Timeline(props: { steps: StepRun[] }) {
  const { bars, span } = timelineOf(props.steps, Date.now());
  const pct = (ms: number) => `${((ms / span) * 100).toFixed(2)}%`;
  const first = (b: Bar) => b.attempts[0]?.queued ?? b.attempts[0]?.started ?? Infinity;
  const ordered = [...bars].sort((a, b) => first(a) - first(b) || (a.step < b.step ? -1 : 1));
  return (
    <section aria-labelledby="timeline-title" class="timeline">
      <h2 id="timeline-title">Timeline</h2>
      <p class="muted small">
        0 to {formatDuration(span)}: hatched while queued, solid while running; a retried step has a bar for each
        attempt.
      </p>
      <ol class="gantt">
        {ordered.map((b) => (
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
            <span class="gantt-track" aria-hidden="true">
              {b.attempts.map((a) => {
                const from = a.queued ?? a.started!;
                const to = a.ended ?? span;
                return (
                  <span
                    key={a.attempt}
                    class={`gantt-attempt ${STATUS_CLASS[a.status] ?? 'st-idle'}`}
                    data-gantt-attempt={a.attempt}
                    data-status={a.status}
                    title={label(b, a, span)}
                  >
                    <span
                      class="gantt-wait"
                      style={{ left: pct(from), width: pct(Math.max((a.started ?? to) - from, span / 400)) }}
                    />
                    {a.started !== undefined && (
                      <span
                        class="gantt-run"
                        style={{ left: pct(a.started), width: pct(Math.max(to - a.started, span / 400)) }}
                      />
                    )}
                  </span>
                );
              })}
            </span>
            <span class="sr-only">
              {b.status}: {describe(b, span)}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
