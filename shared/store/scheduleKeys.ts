import { runIndexRowKey, sha256Hex } from './keys';
import type { ScheduleRecord } from './scheduleModel';

/**
 * Row layout of the `Schedules` table: one partition per schedule (PartitionKey = schedule id) holding the schedule
 * row, one row per blob version a window schedule took in, and one row per run it started — so deleting a schedule
 * is deleting its partition, and nothing about one schedule is read while evaluating another.
 */

export const SCHEDULE_ROW = 'schedule';
export const CLAIM_PREFIX = 'claim|';
export const RUN_PREFIX = 'run|';
/** Sorts after every `run|…` row key (`|` + 1). */
export const RUN_PREFIX_END = 'run}';

/** Blob names may hold characters a row key may not (`/`, `#`, `?`), so a claim's key is a hash of name + ETag. */
export function claimRowKey(path: string, etag: string): string {
  return `${CLAIM_PREFIX}${sha256Hex(`${path}\n${etag}`)}`;
}

/** Newest first, like the run index. */
export function scheduleRunRowKey(createdAt: string, runId: string): string {
  return `${RUN_PREFIX}${runIndexRowKey(createdAt, runId)}`;
}

/** The continuation partition of a schedule's runs listing (tokens from another schedule are refused). */
export function scheduleRunsPartition(scheduleId: string): string {
  return `schedule-runs|${scheduleId}`;
}

/** Newest first; ties (same millisecond) by id, so listings are stable. */
export function newestScheduleFirst(a: ScheduleRecord, b: ScheduleRecord): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
