/** Schedule timing: validation (Azure ML ScheduleRecurrence rules, cron) and fire-time computation. */
export {
  FREQUENCIES,
  WEEK_DAYS,
  MESSAGES,
  recurrenceSchema,
  cronSchema,
  timeZoneSchema,
  timingShape,
  timingSchema,
  checkTiming,
  parseTiming,
  toFieldIssues,
  type Frequency,
  type WeekDay,
  type Recurrence,
  type ScheduleTiming,
} from './schema';
export { nextFireTimes, fireTimesBetween, lastFireTimeBetween } from './fireTimes';
export { resolveTimeZone, DEFAULT_TIME_ZONE } from './timeZone';
export { WINDOWS_TO_IANA } from './windowsZones';
export { parseCron, CronSyntaxError, type CronSpec } from './cron';
