import { parseTimeSpan } from '../app/hostJson';
import { nextCronOccurrence, parseCron } from './ncrontab';

/** A timer trigger's schedule: an NCRONTAB expression or a constant TimeSpan interval (`hh:mm:ss`). */
export interface TimerSchedule {
  text: string;
  /** The next occurrence strictly after `after`. */
  next(after: Date): Date | undefined;
}

/**
 * Parses a timer `schedule` (after `%setting%` resolution). A TimeSpan fires every interval from the time it was
 * last computed, as the host's constant schedule does; cron expressions use WEBSITE_TIME_ZONE (IANA name) or UTC.
 */
export function parseSchedule(text: string, env: NodeJS.ProcessEnv = process.env): TimerSchedule {
  const trimmed = text.trim();
  if (/^(\d+\.)?\d{1,2}:\d{2}:\d{2}$/.test(trimmed)) {
    const ms = parseTimeSpan(trimmed);
    if (!ms || ms <= 0) throw new Error(`The timer schedule "${text}" must be a positive interval.`);
    return { text, next: (after) => new Date(after.getTime() + ms) };
  }
  const cron = parseCron(trimmed);
  const zone = env.WEBSITE_TIME_ZONE?.trim() || 'UTC';
  return { text, next: (after) => nextCronOccurrence(cron, after, zone) };
}

/**
 * Whether the host keeps schedule status for this schedule by default: `useMonitor` defaults to true, except for
 * schedules that fire more often than once a minute.
 */
export function monitorByDefault(schedule: TimerSchedule, now = new Date()): boolean {
  const first = schedule.next(now);
  const second = first && schedule.next(first);
  return !first || !second || second.getTime() - first.getTime() >= 60_000;
}
