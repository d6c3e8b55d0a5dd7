import { z } from 'zod';
import { UserInputError, type FieldIssue } from '../errors';
import { fieldIssuesFromZod, type IssueWording } from '../zodIssues';
import { CronSyntaxError, parseCron } from './cron';
import { resolveTimeZone } from './timeZone';

/**
 * The timing of a schedule: Azure ML's ScheduleRecurrence (`recurrence`) or a five-field `cron` with `timeZone`.
 * The rules and their messages follow azureml-pipeline-core's `ScheduleRecurrence.validate()` with our camelCase
 * field names, plus a fix where Azure ML's message has none. No transforms, so `z.toJSONSchema` works on it.
 */

export const FREQUENCIES = ['Minute', 'Hour', 'Day', 'Week', 'Month'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export const WEEK_DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export type WeekDay = (typeof WEEK_DAYS)[number];

export const RECURRENCE_FIELDS = [
  'frequency',
  'interval',
  'startTime',
  'timeZone',
  'hours',
  'minutes',
  'weekDays',
  'timeOfDay',
] as const;

export const MESSAGES = {
  frequency: 'Invalid value for frequency, only one of Minute, Hour, Day, Week, or Month accepted.',
  interval: 'Interval must be an integer greater than 0.',
  hoursRange: 'Hours must be between 0 and 23.',
  minutesRange: 'Minutes must be between 0 and 59.',
  hoursList: 'Hours must be a list of integers between 0 and 23, e.g. [9, 17].',
  minutesList: 'Minutes must be a list of integers between 0 and 59, e.g. [0, 30].',
  hoursEmpty: "Hours must list at least one hour; remove hours to use the start time's hour.",
  minutesEmpty: "Minutes must list at least one minute; remove minutes to use the start time's minute.",
  hoursFrequency: 'Can only specify hours if frequency is Week or Day; remove hours or set frequency to Day or Week.',
  minutesFrequency:
    'Can only specify minutes if frequency is Week or Day; remove minutes or set frequency to Day or Week.',
  weekDaysFrequency: 'Can only specify week days if frequency is Week; remove weekDays or set frequency to Week.',
  weekDaysList: 'Week days must be a list of day names, e.g. ["Monday", "Friday"].',
  weekDaysEmpty: "Week days must list at least one day; remove weekDays to use the start time's day.",
  weekDay: (value: unknown) =>
    `Week days must be a list of day names, accepted values: ${WEEK_DAYS.join(', ')}; ` +
    `${JSON.stringify(value)} is not one of them.`,
  timeOfDayFrequency:
    'Can only specify timeOfDay if frequency is Week or Day; remove timeOfDay or set frequency to Day or Week.',
  timeOfDayWithHours:
    'Can not specify timeOfDay and hours or minutes; use timeOfDay "hh:mm" for one time a day, ' +
    'or hours and minutes for several.',
  timeOfDayFormat: 'timeOfDay should be in the format hh:mm, e.g. "09:30".',
  timeOfDayHour: 'Time of day hour value must be between 0 and 23.',
  timeOfDayMinute: 'Time of day minute value must be between 0 and 59.',
  startTimeFormat:
    'startTime must be a local date and time in the format YYYY-MM-DDThh:mm:ss, e.g. "2024-01-31T09:00:00".',
  startTimeOffset:
    'Can not specify a UTC offset or "Z" in startTime, use timeZone instead: write the local time as ' +
    'YYYY-MM-DDThh:mm:ss and the zone in timeZone.',
  startTimeInvalid: (value: string) => `startTime "${value}" is not a real date and time; check the day and month.`,
  timeZone: (value: unknown) =>
    `${JSON.stringify(value)} is not a known time zone; use an IANA name such as "Europe/London" or a Windows ` +
    'time-zone id as in Azure ML such as "GMT Standard Time".',
  timeZoneType: 'timeZone must be a string such as "Europe/London" or "GMT Standard Time".',
  cronType:
    'cron must be a string of five fields: minute hour day-of-month month day-of-week, e.g. "30 9 * * MON-FRI".',
  unknownRecurrenceField: (key: string) =>
    `Unknown field "${key}"; a recurrence takes ${RECURRENCE_FIELDS.join(', ')}.`,
  unknownTimingField: (key: string) =>
    `Unknown field "${key}"; a schedule's timing is recurrence, or cron and timeZone.`,
  neither: 'A schedule needs recurrence or cron; add recurrence {frequency, interval} or a five-field cron.',
  both: 'Specify either recurrence or cron, not both; remove one of them.',
  timeZoneWithRecurrence: 'With recurrence, timeZone goes inside it; move timeZone to recurrence.timeZone.',
  recurrenceType: 'recurrence must be an object such as {"frequency": "Day", "interval": 1}.',
  timingType: "A schedule's timing must be an object with recurrence, or cron and timeZone.",
} as const;

/** A recurrence fires at least once in this many years, or it is refused as one that can never fire. */
export const MAX_RECURRENCE_YEARS = 100;

/** The largest interval of each frequency whose period stays within {@link MAX_RECURRENCE_YEARS}. */
export const MAX_INTERVAL: Record<Frequency, number> = {
  Minute: MAX_RECURRENCE_YEARS * 525_960,
  Hour: MAX_RECURRENCE_YEARS * 8_766,
  Day: MAX_RECURRENCE_YEARS * 365,
  Week: MAX_RECURRENCE_YEARS * 52,
  Month: MAX_RECURRENCE_YEARS * 12,
};

const START_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const TIME_OF_DAY = /^[0-9]{1,2}:[0-9]{2}$/;

/** A startTime ("YYYY-MM-DDThh:mm[:ss]", local to the schedule's zone) as a wall time, or the problem with it. */
export function parseStartTime(text: string): { wallMs: number } | { error: string } {
  const m = START_TIME.exec(text);
  if (!m) {
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(text)) {
      return { error: MESSAGES.startTimeOffset };
    }
    return { error: MESSAGES.startTimeFormat };
  }
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? '0'));
  const wallMs = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(wallMs);
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  ) {
    return { error: MESSAGES.startTimeInvalid(text) };
  }
  return { wallMs };
}

/** "hh:mm" → [hour, minute], or the problem with it. */
export function parseTimeOfDay(text: string): { hour: number; minute: number } | { error: string } {
  if (!TIME_OF_DAY.test(text)) return { error: MESSAGES.timeOfDayFormat };
  const [hour, minute] = text.split(':').map(Number);
  if (hour > 23) return { error: MESSAGES.timeOfDayHour };
  if (minute > 59) return { error: MESSAGES.timeOfDayMinute };
  return { hour, minute };
}

export const timeZoneSchema = z
  .string({ error: MESSAGES.timeZoneType })
  .refine((v) => resolveTimeZone(v) !== undefined, { error: (iss) => MESSAGES.timeZone(iss.input) })
  .describe('IANA time zone (e.g. "Europe/London") or Windows time-zone id (e.g. "GMT Standard Time"); default UTC');

const hoursSchema = z
  .array(
    z
      .number({ error: MESSAGES.hoursList })
      .int({ error: MESSAGES.hoursList })
      .min(0, { error: MESSAGES.hoursRange })
      .max(23, { error: MESSAGES.hoursRange }),
    { error: MESSAGES.hoursList },
  )
  .min(1, { error: MESSAGES.hoursEmpty });

const minutesSchema = z
  .array(
    z
      .number({ error: MESSAGES.minutesList })
      .int({ error: MESSAGES.minutesList })
      .min(0, { error: MESSAGES.minutesRange })
      .max(59, { error: MESSAGES.minutesRange }),
    { error: MESSAGES.minutesList },
  )
  .min(1, { error: MESSAGES.minutesEmpty });

const weekDaysSchema = z
  .array(
    z
      .string({ error: (iss) => MESSAGES.weekDay(iss.input) })
      .refine((v) => (WEEK_DAYS as readonly string[]).includes(v), {
        error: (iss) => MESSAGES.weekDay(iss.input),
      }),
    { error: MESSAGES.weekDaysList },
  )
  .min(1, { error: MESSAGES.weekDaysEmpty });

const startTimeSchema = z
  .string({ error: MESSAGES.startTimeFormat })
  .superRefine((v, ctx) => {
    const parsed = parseStartTime(v);
    if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
  })
  .describe('Local date and time in timeZone, YYYY-MM-DDThh:mm:ss; interval counts from here');

const timeOfDaySchema = z
  .string({ error: MESSAGES.timeOfDayFormat })
  .superRefine((v, ctx) => {
    const parsed = parseTimeOfDay(v);
    if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
  })
  .describe('"hh:mm" (Day or Week only; not with hours/minutes)');

/** Azure ML's ScheduleRecurrence, camelCased. */
export const recurrenceSchema = z
  .strictObject(
    {
      frequency: z.enum(FREQUENCIES, { error: MESSAGES.frequency }),
      interval: z
        .number({ error: MESSAGES.interval })
        .int({ error: MESSAGES.interval })
        .min(1, { error: MESSAGES.interval }),
      startTime: startTimeSchema.optional(),
      timeZone: timeZoneSchema.optional(),
      hours: hoursSchema.optional().describe('Hours of the day, 0-23 (Day or Week only)'),
      minutes: minutesSchema.optional().describe('Minutes of the hour, 0-59 (Day or Week only)'),
      weekDays: z.optional(weekDaysSchema).describe('Monday … Sunday (Week only)'),
      timeOfDay: timeOfDaySchema.optional(),
    },
    {
      error: (iss) => (iss.code === 'invalid_type' ? MESSAGES.recurrenceType : undefined),
    },
  )
  .superRefine((r, ctx) => {
    if (r.interval > MAX_INTERVAL[r.frequency]) {
      ctx.addIssue({
        code: 'custom',
        path: ['interval'],
        message:
          `An interval of ${r.interval} ${r.frequency.toLowerCase()}s would next fire more than ` +
          `${MAX_RECURRENCE_YEARS} years from now, so the schedule would never fire; use at most ` +
          `${MAX_INTERVAL[r.frequency]} for ${r.frequency}.`,
      });
    }
    const dayOrWeek = r.frequency === 'Day' || r.frequency === 'Week';
    const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (r.timeOfDay !== undefined && (r.hours !== undefined || r.minutes !== undefined)) {
      fail('timeOfDay', MESSAGES.timeOfDayWithHours);
    }
    if (!dayOrWeek && r.hours !== undefined) fail('hours', MESSAGES.hoursFrequency);
    if (!dayOrWeek && r.minutes !== undefined) fail('minutes', MESSAGES.minutesFrequency);
    if (!dayOrWeek && r.timeOfDay !== undefined) fail('timeOfDay', MESSAGES.timeOfDayFrequency);
    if (r.frequency !== 'Week' && r.weekDays !== undefined) fail('weekDays', MESSAGES.weekDaysFrequency);
  });

export type Recurrence = z.infer<typeof recurrenceSchema>;

/** Longer than any sensible five-field expression (each field a list of values or ranges). */
export const MAX_CRON_CHARS = 512;

export const cronSchema = z
  .string({ error: MESSAGES.cronType })
  .max(MAX_CRON_CHARS, { error: `cron must be at most ${MAX_CRON_CHARS} characters` })
  .superRefine((v, ctx) => {
    if (v.length > MAX_CRON_CHARS) return;
    try {
      parseCron(v);
    } catch (err) {
      if (!(err instanceof CronSyntaxError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  })
  .describe('Five-field cron: minute hour day-of-month month day-of-week, evaluated in timeZone');

/** The timing fields a schedule carries; `timingSchema` adds the "exactly one" rule. */
export const timingShape = {
  recurrence: recurrenceSchema.optional(),
  cron: cronSchema.optional(),
  timeZone: timeZoneSchema.optional(),
};

/** Exactly one of `recurrence` or `cron`; `timeZone` beside `cron` (a recurrence carries its own). */
export function checkTiming(
  t: { recurrence?: unknown; cron?: unknown; timeZone?: unknown },
  ctx: z.RefinementCtx,
): void {
  const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (t.recurrence === undefined && t.cron === undefined) fail('recurrence', MESSAGES.neither);
  if (t.recurrence !== undefined && t.cron !== undefined) fail('cron', MESSAGES.both);
  if (t.recurrence !== undefined && t.timeZone !== undefined) fail('timeZone', MESSAGES.timeZoneWithRecurrence);
}

export const timingSchema = z
  .strictObject(timingShape, {
    error: (iss) => (iss.code === 'invalid_type' ? MESSAGES.timingType : undefined),
  })
  .superRefine(checkTiming);

export type ScheduleTiming = z.infer<typeof timingSchema>;

/** An unknown field names the fields allowed where it stands (in a recurrence, or in the timing itself). */
const TIMING_WORDING: IssueWording = {
  unknownKey: (key, path) =>
    path.at(-1) === 'recurrence' ? MESSAGES.unknownRecurrenceField(key) : MESSAGES.unknownTimingField(key),
};

/** Converts zod issues to FieldIssues (shared/zodIssues.ts); `prefix` places them in a larger body. */
export function toFieldIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  return fieldIssuesFromZod(error.issues, prefix, TIMING_WORDING);
}

/**
 * Validates a schedule's timing. Throws a UserInputError (code `InvalidSchedule`) whose message lists each
 * problem as `path: message`, e.g. `recurrence.hours[0]: Hours must be between 0 and 23.`
 * `prefix` places the paths inside a larger body (e.g. `"schedule"` → `schedule.recurrence.hours[0]`).
 */
export function parseTiming(input: unknown, prefix = ''): ScheduleTiming {
  const result = timingSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = toFieldIssues(result.error, prefix);
  throw new UserInputError(
    issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join(' '),
    issues,
    'InvalidSchedule',
  );
}
