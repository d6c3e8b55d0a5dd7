import { cronMatchesDay } from './cron';
import { compileTiming, type Plan } from './compile';
import type { ScheduleTiming } from './schema';
import { DAY, dayNumber, daysInMonth, fromWall, toWall, wallFields, weekdayOfDay } from './timeZone';

/**
 * When a schedule fires. Everything here is pure: instants in, instants (UTC `Date`s) out, no clock reads — the
 * caller passes "now" as `after`, which is also how a schedule without startTime gets its first fire time.
 */

function ms(date: Date, name: string): number {
  const t = date.getTime();
  if (Number.isNaN(t)) throw new TypeError(`${name} is an invalid Date`);
  return t;
}

/** The next `count` fire times strictly after `after`, ascending. */
export function nextFireTimes(timing: ScheduleTiming, after: Date, count: number): Date[] {
  const start = ms(after, 'after');
  const out: Date[] = [];
  if (count <= 0) return out;
  for (const t of fireTimesAfter(compileTiming(timing), start)) {
    out.push(new Date(t));
    if (out.length >= count) break;
  }
  return out;
}

/** Fire times in (`from`, `to`] — `from` exclusive, `to` inclusive — ascending, at most `limit` (the earliest). */
export function fireTimesBetween(timing: ScheduleTiming, from: Date, to: Date, limit: number): Date[] {
  const [begin, end] = [ms(from, 'from'), ms(to, 'to')];
  const out: Date[] = [];
  if (limit <= 0) return out;
  for (const t of fireTimesAfter(compileTiming(timing), begin)) {
    if (t > end || out.length >= limit) break;
    out.push(new Date(t));
  }
  return out;
}

/**
 * The latest fire time in (`from`, `to`], or undefined. For catching up after downtime — the missed fire times
 * produce one run — without walking every missed minute: it looks back over growing windows from `to`.
 */
export function lastFireTimeBetween(timing: ScheduleTiming, from: Date, to: Date): Date | undefined {
  const plan = compileTiming(timing);
  const [lo, end] = [ms(from, 'from'), ms(to, 'to')];
  for (const window of [3_600_000, DAY, 40 * DAY, 400 * DAY, 4000 * DAY, Infinity]) {
    const start = Math.max(lo, end - window);
    let last: number | undefined;
    for (const t of fireTimesAfter(plan, start)) {
      if (t > end) break;
      last = t;
    }
    if (last !== undefined) return new Date(last);
    if (start === lo) return undefined;
  }
  return undefined;
}

/** Fire times end at the start of year 10000, so a huge interval ends the sequence instead of spinning on NaN. */
const END_OF_TIME = Date.UTC(10000, 0, 1);

/** Fire instants strictly after `afterMs`, ascending, without repeats; ends only at year 10000. */
export function* fireTimesAfter(plan: Plan, afterMs: number): Generator<number> {
  if (plan.kind === 'elapsed') {
    const k = afterMs < plan.startMs ? 0 : Math.floor((afterMs - plan.startMs) / plan.stepMs) + 1;
    for (let t = plan.startMs + k * plan.stepMs; t < END_OF_TIME; t += plan.stepMs) yield t;
    return;
  }
  // Wall times come out ascending and the wall → instant mapping never goes backwards (gaps collapse onto the
  // transition, repeated hours take their first occurrence), so instants are ascending too; equal ones are dropped.
  // Starting two days before `after`'s wall time covers any UTC offset.
  const fromWallMs = toWall(plan.zone, afterMs) - 2 * DAY;
  const walls = plan.kind === 'cron' ? cronWalls(plan, fromWallMs) : calendarWalls(plan, fromWallMs);
  const startWall = plan.kind === 'calendar' ? plan.startWall : -Infinity;
  const exclusive = plan.kind === 'calendar' && plan.exclusiveStart;
  let last = afterMs;
  for (const wall of walls) {
    if (!(wall < END_OF_TIME)) return; // also stops on NaN from dates beyond what Date can hold
    if (wall < startWall || (exclusive && wall === startWall)) continue;
    const t = fromWall(plan.zone, wall);
    if (t > last) {
      last = t;
      yield t;
    }
  }
}

type CalendarPlan = Extract<Plan, { kind: 'calendar' }>;
type CronPlan = Extract<Plan, { kind: 'cron' }>;

/** The schedule's wall times period by period from `fromWallMs`'s period on; the caller drops those before the start. */
function* calendarWalls(plan: CalendarPlan, fromWallMs: number): Generator<number> {
  const n = plan.interval;
  const startDay = dayNumber(plan.startWall);
  const fromDay = dayNumber(fromWallMs);
  const daysAt = function* (day: number) {
    for (const t of plan.times) yield day * DAY + t * 1000;
  };
  if (plan.frequency === 'Day') {
    for (let k = Math.max(0, Math.floor((fromDay - startDay) / n)); ; k++) yield* daysAt(startDay + k * n);
  }
  if (plan.frequency === 'Week') {
    const week0 = startDay - weekdayOfDay(startDay); // the Monday of the start's week
    for (let k = Math.max(0, Math.floor((fromDay - week0) / (7 * n))); ; k++) {
      for (const wd of plan.weekDays) yield* daysAt(week0 + 7 * n * k + wd);
    }
  }
  // Month: the start's day of the month, or the month's last day when it is shorter (31st → 30th, 29 Feb, 28 Feb).
  const s = wallFields(plan.startWall);
  const f = wallFields(fromWallMs);
  const month0 = s.year * 12 + (s.month - 1);
  for (let k = Math.max(0, Math.floor((f.year * 12 + f.month - 1 - month0) / n)); ; k++) {
    const m = month0 + k * n;
    const year = Math.floor(m / 12);
    const month = (m % 12) + 1;
    const day = Math.min(s.day, daysInMonth(year, month));
    yield* daysAt(dayNumber(Date.UTC(year, month - 1, day)));
  }
}

/** Cron's matching local minutes from `fromWallMs`'s day on; gives up after ten years without a match. */
function* cronWalls(plan: CronPlan, fromWallMs: number): Generator<number> {
  const { spec } = plan;
  let idle = 0;
  for (let day = dayNumber(fromWallMs); idle < 3660; day++) {
    const f = wallFields(day * DAY);
    if (!cronMatchesDay(spec, f.month, f.day, weekdayOfDay(day))) {
      idle++;
      continue;
    }
    idle = 0;
    for (const h of spec.hours) for (const m of spec.minutes) yield day * DAY + h * 3_600_000 + m * 60_000;
  }
}
