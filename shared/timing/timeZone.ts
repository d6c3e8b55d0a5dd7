import { IANAZone } from 'luxon';
import { WINDOWS_TO_IANA } from './windowsZones';

/**
 * Time zones and wall-clock time. A "wall time" here is a local date and time written as the number of
 * milliseconds since 1970-01-01T00:00 *of the zone's clock* (i.e. `Date.UTC(y, m, d, h, mi, s)` of the local
 * fields). Day, week and month arithmetic happens on wall times; only the final step turns a wall time into an
 * instant, applying the DST rules below in one place.
 */

const windowsByLowerCase = new Map(Object.entries(WINDOWS_TO_IANA).map(([win, iana]) => [win.toLowerCase(), iana]));

/** The schedule's default zone when none is given (Azure ML documents UTC as the default). */
export const DEFAULT_TIME_ZONE = 'UTC';

/**
 * The IANA zone for a name: a Windows id as Azure ML uses (`"Pacific Standard Time"`, matched without regard to
 * case) or any IANA name the runtime knows (`"Europe/London"`). Undefined when neither.
 */
export function resolveTimeZone(name: string): string | undefined {
  const windows = windowsByLowerCase.get(name.toLowerCase());
  if (windows) return windows;
  return IANAZone.isValidZone(name) ? name : undefined;
}

interface ZoneCache {
  zone: IANAZone;
  /** Offsets at whole UTC hours, the boundaries of the hour buckets. */
  atHour: Map<number, number>;
}

const zones = new Map<string, ZoneCache>();
const HOUR = 3_600_000;

/**
 * A zone's offset from UTC in minutes at an instant (e.g. +330 for Asia/Kolkata, -240 for New York in summer).
 * Asking Intl is slow (microseconds), and fire-time searches ask thousands of times, so offsets are cached at whole
 * UTC hours: when both ends of the hour agree, the offset holds for the whole hour (no zone changes its offset
 * twice within one hour); otherwise the instant itself is looked up.
 */
export function offsetMinutes(zone: string, instantMs: number): number {
  let cache = zones.get(zone);
  if (!cache) {
    cache = { zone: IANAZone.create(zone), atHour: new Map() };
    zones.set(zone, cache);
  }
  const start = Math.floor(instantMs / HOUR) * HOUR;
  const a = hourOffset(cache, start);
  return a === hourOffset(cache, start + HOUR) ? a : cache.zone.offset(instantMs);
}

function hourOffset(cache: ZoneCache, hourMs: number): number {
  let offset = cache.atHour.get(hourMs);
  if (offset === undefined) {
    if (cache.atHour.size >= 20_000) cache.atHour.clear();
    offset = cache.zone.offset(hourMs);
    cache.atHour.set(hourMs, offset);
  }
  return offset;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The wall time in `zone` at an instant. */
export function toWall(zone: string, instantMs: number): number {
  return instantMs + offsetMinutes(zone, instantMs) * MINUTE;
}

/**
 * The instant a wall time in `zone` stands for:
 * - a normal local time has exactly one instant;
 * - an ambiguous one (the hour repeated when clocks fall back) gives its *first* occurrence, so it fires once;
 * - one that does not exist (skipped when clocks spring forward) gives the first valid instant after it, which is
 *   the transition itself (e.g. 02:30 on the day New York springs forward → 03:00 EDT).
 * Assumes at most one offset change within a day of the wall time, true of every zone in the tz database since 1970.
 */
export function fromWall(zone: string, wallMs: number): number {
  const before = offsetMinutes(zone, wallMs - DAY);
  const after = offsetMinutes(zone, wallMs + DAY);
  const valid: number[] = [];
  for (const offset of new Set([before, after, offsetMinutes(zone, wallMs)])) {
    const instant = wallMs - offset * MINUTE;
    if (offsetMinutes(zone, instant) === offset) valid.push(instant);
  }
  if (valid.length > 0) return Math.min(...valid);
  // In a gap: the old offset puts the instant after the transition, the new one before it. Find the transition.
  let lo = wallMs - after * MINUTE; // offset there is still `before`
  let hi = wallMs - before * MINUTE; // offset there is already `after`
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMinutes(zone, mid) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Local calendar fields of a wall time. `weekday` is 0 = Monday … 6 = Sunday. */
export interface WallFields {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

export function wallFields(wallMs: number): WallFields {
  const d = new Date(wallMs);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: (d.getUTCDay() + 6) % 7,
  };
}

/** Days since 1970-01-01 of a wall time (its local date). */
export function dayNumber(wallMs: number): number {
  return Math.floor(wallMs / DAY);
}

/** 0 = Monday … 6 = Sunday for a day number (1970-01-01 was a Thursday). */
export function weekdayOfDay(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export { DAY, MINUTE };
