import type { StepRun } from './types';

/** One attempt on a step's row of the timeline: its wait in the queue, then its run, in ms from the timeline's start. */
export interface Segment {
  attempt: number;
  status: string;
  /** Milliseconds from the timeline's start; undefined when that moment has not come (or was not recorded). */
  queued?: number;
  started?: number;
  ended?: number;
  error?: { code: string; message: string };
}

/** One row of the timeline: a step, with a segment for each of its attempts (oldest first). */
export interface Bar {
  step: string;
  status: string;
  attempt: number;
  reused: boolean;
  /** The current (latest) attempt's moments, as on the step. */
  queued?: number;
  started?: number;
  ended?: number;
  attempts: Segment[];
}

const ENDED = new Set(['Completed', 'Failed', 'Canceled']);

/** The attempts of a step with their times: the earlier ones the step keeps (`attempts`), then its current one. */
function attemptsOf(s: StepRun) {
  const t = (iso?: string) => (iso ? Date.parse(iso) : undefined);
  const queued = t(s.queuedAt);
  // After a retry the step's start and end are the previous attempt's until the new one starts and ends.
  const rawStart = t(s.startedAt);
  const started = rawStart !== undefined && (queued === undefined || rawStart >= queued) ? rawStart : undefined;
  const rawEnd = t(s.endedAt);
  const ended =
    ENDED.has(s.status) && rawEnd !== undefined && rawEnd >= (started ?? queued ?? rawEnd) ? rawEnd : undefined;
  const earlier = (s.attempts ?? []).map((a) => ({
    attempt: a.attempt,
    status: a.status as string,
    queued: t(a.queuedAt),
    started: t(a.startedAt),
    ended: t(a.endedAt),
    error: a.error,
  }));
  return [...earlier, { attempt: s.attempt, status: s.status as string, queued, started, ended, error: s.error }];
}

/**
 * The bars of a run's timeline and its span: times relative to the earliest queue or start time of any attempt,
 * open attempts (running, queued) reaching to `now`. Steps that never queued (reused, not started) have no times.
 */
export function timelineOf(steps: StepRun[], now: number): { bars: Bar[]; span: number } {
  const all = steps.map((s) => ({ s, attempts: s.reused ? [] : attemptsOf(s) }));
  const moments = all
    .flatMap((x) => x.attempts.flatMap((a) => [a.queued, a.started]))
    .filter((x): x is number => x !== undefined);
  const origin = moments.length ? Math.min(...moments) : now;
  const rel = (x?: number) => (x === undefined ? undefined : Math.max(0, x - origin));
  let end = origin;
  const bars = all.map(({ s, attempts }): Bar => {
    const segments = attempts
      .map((a) => ({ ...a, queued: rel(a.queued), started: rel(a.started), ended: rel(a.ended) }))
      .filter((a) => a.queued !== undefined || a.started !== undefined);
    for (const a of segments) {
      for (const x of [a.queued, a.started, a.ended]) if (x !== undefined) end = Math.max(end, origin + x);
      if (a.ended === undefined) end = Math.max(end, now); // still open: the bar grows to now
    }
    const current = segments.find((a) => a.attempt === s.attempt);
    return {
      step: s.name,
      status: s.status,
      attempt: s.attempt,
      reused: s.reused,
      queued: current?.queued,
      started: current?.started,
      ended: current?.ended,
      attempts: segments,
    };
  });
  return { bars, span: Math.max(end - origin, 1) };
}
