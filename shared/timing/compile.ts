import { parseCron, type CronSpec } from './cron';
import { parseStartTime, parseTimeOfDay, WEEK_DAYS, type Recurrence, type ScheduleTiming, parseTiming } from './schema';
import { DEFAULT_TIME_ZONE, fromWall, resolveTimeZone, wallFields } from './timeZone';

/**
 * A schedule's timing turned into what the fire-time generator needs. Three shapes:
 * - `elapsed` (Minute, Hour): every `stepMs` of real time from the start instant — DST does not move them;
 * - `calendar` (Day, Week, Month): wall-clock dates and times in the zone, every `interval` periods counted from
 *   the start's day, week (Monday-based) or month;
 * - `cron`: wall-clock minutes in the zone that match the expression.
 */
export type Plan =
  | { kind: 'elapsed'; zone: string; startMs: number; stepMs: number }
  | {
      kind: 'calendar';
      zone: string;
      frequency: 'Day' | 'Week' | 'Month';
      interval: number;
      /** The start as a wall time; fire times before it (or at it, when `exclusiveStart`) are skipped. */
      startWall: number;
      exclusiveStart: boolean;
      /** Seconds after local midnight, ascending. */
      times: number[];
      /** 0 = Monday … 6 = Sunday, ascending (Week only). */
      weekDays: number[];
    }
  | { kind: 'cron'; zone: string; spec: CronSpec };

/**
 * Without a startTime the grid is anchored at 2001-01-01T00:00 local: a Monday, the first of a month and a
 * midnight, so "every 15 minutes" falls on :00/:15/:30/:45, "every day" at midnight, "every week" on Mondays and
 * "every month" on the 1st.
 */
export const DEFAULT_ANCHOR_WALL = Date.UTC(2001, 0, 1);

const cache = new WeakMap<object, Plan>();

/** Validates (UserInputError on a bad timing) and compiles a timing; memoised per object. */
export function compileTiming(timing: ScheduleTiming): Plan {
  const cached = cache.get(timing);
  if (cached) return cached;
  const valid = parseTiming(timing);
  const plan = valid.recurrence
    ? compileRecurrence(valid.recurrence)
    : { kind: 'cron' as const, zone: zoneOf(valid.timeZone), spec: parseCron(valid.cron as string) };
  cache.set(timing, plan);
  return plan;
}

function zoneOf(name: string | undefined): string {
  return resolveTimeZone(name ?? DEFAULT_TIME_ZONE) as string;
}

function compileRecurrence(r: Recurrence): Plan {
  const zone = zoneOf(r.timeZone);
  const start = r.startTime ? parseStartTime(r.startTime) : { wallMs: DEFAULT_ANCHOR_WALL };
  if ('error' in start) throw new Error(start.error); // unreachable: parseTiming checked it
  const startWall = start.wallMs;
  if (r.frequency === 'Minute' || r.frequency === 'Hour') {
    const unit = r.frequency === 'Minute' ? 60_000 : 3_600_000;
    return { kind: 'elapsed', zone, startMs: fromWall(zone, startWall), stepMs: r.interval * unit };
  }
  const s = wallFields(startWall);
  const explicitTimes = r.hours !== undefined || r.minutes !== undefined || r.timeOfDay !== undefined;
  let times: number[];
  if (r.timeOfDay !== undefined) {
    const t = parseTimeOfDay(r.timeOfDay) as { hour: number; minute: number };
    times = [t.hour * 3600 + t.minute * 60];
  } else if (explicitTimes) {
    const hours = r.hours ?? [s.hour];
    const minutes = r.minutes ?? [s.minute];
    times = [...new Set(hours.flatMap((h) => minutes.map((m) => h * 3600 + m * 60)))];
  } else {
    times = [s.hour * 3600 + s.minute * 60 + s.second];
  }
  times.sort((a, b) => a - b);
  const weekDays = r.weekDays
    ? [...new Set(r.weekDays.map((d) => (WEEK_DAYS as readonly string[]).indexOf(d)))].sort((a, b) => a - b)
    : [s.weekday];
  return {
    kind: 'calendar',
    zone,
    frequency: r.frequency,
    interval: r.interval,
    startWall,
    // Azure ML: "If start_time matches week_days and time_of_day (or hours and minutes), then the first workload
    // does not run at start_time, but instead runs at the next calculated run time."
    exclusiveStart: explicitTimes && r.startTime !== undefined,
    times,
    weekDays,
  };
}
