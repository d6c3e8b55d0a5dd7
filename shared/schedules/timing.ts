import type { ScheduleTiming } from '../timing';
import type { ScheduleRecord } from '../store/scheduleModel';

/** The timing part of a schedule as shared/timing takes it, or undefined for a data-trigger schedule. */
export function timingOf(s: Pick<ScheduleRecord, 'recurrence' | 'cron' | 'timeZone'>): ScheduleTiming | undefined {
  if (s.recurrence) return { recurrence: s.recurrence as ScheduleTiming['recurrence'] };
  if (s.cron !== undefined) return s.timeZone !== undefined ? { cron: s.cron, timeZone: s.timeZone } : { cron: s.cron };
  return undefined;
}
