import { SluiceError, toSluiceError } from '../errors';
import type { ScheduleError, ScheduleRecord } from '../store/scheduleModel';
import { redact } from '../api/submit/redact';

/**
 * How a failure to start a scheduled run is kept. A problem with the schedule's target or parameters (a 4xx error:
 * disabled pipeline, parameters that no longer fit) would fail the same way on every retry, so it is recorded and
 * the fire time counts as handled; anything else (storage, the durable client) is a system fault, and the fire time
 * stays due so the next timer tick tries again.
 */
export function isRetryable(err: unknown): boolean {
  return !(err instanceof SluiceError && err.status < 500);
}

export function scheduleError(err: unknown, at: string, concerning: string): ScheduleError {
  const e = toSluiceError(err);
  return { code: e.code, message: redact(e.message), at, concerning };
}

/** Patch for a new lastError, unless a later one is recorded already. */
export function errorPatch(current: ScheduleRecord, error: ScheduleError | undefined): Partial<ScheduleRecord> {
  if (!error || (current.lastError && current.lastError.at > error.at)) return {};
  return { lastError: error };
}

/** Patch for a run started for `fireTime`, unless a later fire time is recorded already. */
export function runPatch(current: ScheduleRecord, fireTime: string, runId: string): Partial<ScheduleRecord> {
  if (current.lastFireTime && current.lastFireTime >= fireTime) return {};
  return { lastFireTime: fireTime, lastRunId: runId };
}

/** undefined when a patch is empty, so the store skips the write. */
export function orNothing<T extends object>(patch: T): T | undefined {
  return Object.keys(patch).length ? patch : undefined;
}
