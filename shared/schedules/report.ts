import { ConflictError } from '../errors';
import type { ScheduleRecord } from '../store/scheduleModel';
import type { ScheduleDeps } from './deps';

/** What one evaluation did, for the trigger's log and for tests. */
export interface EvaluationReport {
  /** Runs created by this evaluation. */
  started: string[];
  /** Due runs that existed already (another timer or a retry got there first). */
  repeated: string[];
  errors: { scheduleId: string; code: string; message: string }[];
}

/** Writes a state patch with the row's ETag; a schedule deleted meanwhile, or endless contention, is only logged. */
export async function saveState(
  deps: ScheduleDeps,
  id: string,
  mutate: (current: ScheduleRecord) => Partial<ScheduleRecord> | undefined,
): Promise<void> {
  try {
    await deps.store.schedules.update(id, mutate);
  } catch (err) {
    if (err instanceof ConflictError || (err as { status?: number }).status === 404) {
      deps.log.warn(`Schedule ${id}: state not saved: ${(err as Error).message}`);
      return;
    }
    throw err;
  }
}
