import { DateTime } from 'luxon';
import { nextFireTimes } from '../timing';
import { DEFAULT_TIME_ZONE, resolveTimeZone } from '../timing/timeZone';
import type { RunStatus } from '../store/model';
import type { Store } from '../store/repositories';
import type { OpenWindow, ScheduleError, ScheduleRecord } from '../store/scheduleModel';
import { timingOf } from './timing';

/** What a schedule shows about itself, so users can see when it runs next and what it did last. */
export interface ScheduleState {
  /** The next 5 fire times (UTC ISO); empty when disabled or data-triggered. */
  nextFireTimes: string[];
  /** The IANA zone the timing is evaluated in (a Windows id resolved); absent for data-triggered schedules. */
  timeZone?: string;
  /** The same fire times as local times with their UTC offset in `timeZone` (e.g. `2024-03-31T09:30:00+02:00`). */
  nextFireTimesInZone?: string[];
  lastEvaluatedAt: string;
  lastFireTime?: string;
  lastRun?: { id: string; status?: RunStatus };
  lastError?: ScheduleError;
  window?: OpenWindow;
}

export const PREVIEW_COUNT = 5;

export async function scheduleState(store: Store, s: ScheduleRecord, now: Date): Promise<ScheduleState> {
  const state: ScheduleState = { nextFireTimes: previewFireTimes(s, now), lastEvaluatedAt: s.lastEvaluatedAt };
  const zone = scheduleZone(s);
  if (zone) {
    state.timeZone = zone;
    state.nextFireTimesInZone = state.nextFireTimes.map(
      (t) => DateTime.fromISO(t, { zone }).toISO({ suppressMilliseconds: true }) ?? t,
    );
  }
  if (s.lastFireTime) state.lastFireTime = s.lastFireTime;
  if (s.lastRunId) state.lastRun = { id: s.lastRunId, status: (await store.runs.get(s.lastRunId))?.status };
  if (s.lastError) state.lastError = s.lastError;
  if (s.window) state.window = s.window;
  return state;
}

/** Fire times not yet evaluated: after both now and the last evaluation. */
export function previewFireTimes(s: ScheduleRecord, now: Date): string[] {
  const timing = timingOf(s);
  if (!timing || s.status !== 'Active') return [];
  const after = new Date(Math.max(now.getTime(), Date.parse(s.lastEvaluatedAt)));
  try {
    return nextFireTimes(timing, after, PREVIEW_COUNT).map((d) => d.toISOString());
  } catch {
    return []; // a stored timing that no longer validates: lastError says why when the timer meets it
  }
}

/** The IANA zone a schedule's timing runs in: the recurrence's own zone, else the schedule's (cron), else UTC. */
export function scheduleZone(s: Pick<ScheduleRecord, 'recurrence' | 'cron' | 'timeZone'>): string | undefined {
  const timing = timingOf(s);
  if (!timing) return undefined;
  const named = 'recurrence' in timing ? (timing.recurrence as { timeZone?: string }).timeZone : timing.timeZone;
  return resolveTimeZone(named ?? DEFAULT_TIME_ZONE) ?? DEFAULT_TIME_ZONE;
}
