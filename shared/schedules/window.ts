import { MAX_TRIGGER_BLOBS, type BlobVersion, type ScheduleError, type ScheduleRecord } from '../store/scheduleModel';
import type { ScheduleDeps } from './deps';
import { saveState, type EvaluationReport } from './report';
import { windowRunId } from './ids';
import { errorPatch, isRetryable, orNothing, runPatch, scheduleError } from './outcome';
import { startScheduledRun } from './startRun';

/**
 * `batch: window`: a burst of blobs becomes one run. The first blob that finds no open window opens one
 * (`window.opensAt` = its arrival, `closesAt` = + pollingIntervalMinutes) with a conditional write of the schedule
 * row; every blob of the burst records a claim naming the window. The window closes by itself: the timer trigger
 * (every minute) starts the run of a window whose `closesAt` has passed — or a blob that arrives after it closed
 * does, before opening the next — with the folder as the data path, then clears the window.
 */

/** Result of one blob for a window schedule. */
export type JoinOutcome = 'joined' | 'opened' | 'duplicate' | 'inactive';

export async function joinWindow(
  deps: ScheduleDeps,
  schedule: ScheduleRecord,
  blob: BlobVersion,
  report: EvaluationReport,
): Promise<JoinOutcome> {
  const { store } = deps;
  if (await store.schedules.getClaim(schedule.id, blob.path, blob.etag)) return 'duplicate';
  const trigger = schedule.dataTrigger!;
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = deps.now();
    const nowIso = now.toISOString();
    let opened = false;
    const current = await store.schedules.update(schedule.id, (cur) => {
      opened = false;
      if (cur.status !== 'Active' || !cur.dataTrigger) return undefined;
      if (cur.window) return undefined; // open (join it) or closed but not yet run (run it first, below)
      opened = true;
      const closesAt = new Date(now.getTime() + trigger.pollingIntervalMinutes * 60_000).toISOString();
      return { window: { opensAt: nowIso, closesAt } };
    });
    if (current.status !== 'Active' || !current.window) return 'inactive';
    if (Date.parse(current.window.closesAt) <= now.getTime()) {
      await closeWindow(deps, current, report);
      continue;
    }
    const claimed = await store.schedules.claim(schedule.id, { ...blob, at: nowIso, window: current.window.opensAt });
    if (!claimed) return 'duplicate';
    return opened ? 'opened' : 'joined';
  }
  throw new Error(`Schedule ${schedule.id}: could not place blob "${blob.path}" in a window; the event is retried.`);
}

/** Starts the run of a closed window (idempotent: the run id is the window's) and clears the window. */
export async function closeWindow(deps: ScheduleDeps, s: ScheduleRecord, report: EvaluationReport): Promise<void> {
  const window = s.window!;
  const trigger = s.dataTrigger!;
  const runId = windowRunId(s.id, window.opensAt);
  const claims = await deps.store.schedules.windowClaims(s.id, window.opensAt, 10_000);
  const blobs: BlobVersion[] = claims
    .slice(0, MAX_TRIGGER_BLOBS)
    .map(({ datastore, path, etag }) => ({ datastore, path, etag }));
  let error: ScheduleError | undefined;
  let started = false;
  let clear = true;
  try {
    const outcome = await startScheduledRun(deps, s, {
      runId,
      triggeredBy: 'dataChange',
      fireTime: window.closesAt,
      dataPath: { datastore: trigger.datastore, path: trigger.path },
      blobs,
      blobCount: claims.length,
    });
    started = true;
    (outcome.created ? report.started : report.repeated).push(runId);
  } catch (err) {
    error = scheduleError(err, deps.now().toISOString(), `the window opened at ${window.opensAt}`);
    clear = !isRetryable(err);
    report.errors.push({ scheduleId: s.id, code: error.code, message: error.message });
    deps.log.warn(`Schedule ${s.id}: window ${window.opensAt}: ${error.message}`);
  }
  await saveState(deps, s.id, (current) =>
    orNothing({
      ...(clear && current.window?.opensAt === window.opensAt ? { window: undefined } : {}),
      ...(started ? runPatch(current, window.closesAt, runId) : {}),
      ...errorPatch(current, error),
    }),
  );
}
