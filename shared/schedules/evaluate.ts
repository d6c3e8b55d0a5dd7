import { lastFireTimeBetween } from '../timing';
import type { ScheduleError, ScheduleRecord } from '../store/scheduleModel';
import type { ScheduleDeps } from './deps';
import { fireRunId } from './ids';
import { errorPatch, isRetryable, orNothing, runPatch, scheduleError } from './outcome';
import { startScheduledRun } from './startRun';
import { timingOf } from './timing';
import { closeWindow } from './window';
import { saveState, type EvaluationReport } from './report';

/** Schedules evaluated at once (each is a few storage calls). */
const CONCURRENCY = 8;

/**
 * The timer trigger's work, once a minute: for each Active schedule, the latest fire time in
 * (lastEvaluatedAt, now] — one run however many fire times were missed while the app was down — started with the
 * run id `sched-<id>-<fireTime>`; then the state (lastEvaluatedAt, last fire time and run, last error) is written
 * with the row's ETag. Overlapping evaluations compute the same ids, and a run id is created once, so no fire time
 * runs twice. Window schedules whose window has closed get their window's run here too.
 */
export async function evaluateSchedules(deps: ScheduleDeps, now: Date = deps.now()): Promise<EvaluationReport> {
  const report: EvaluationReport = { started: [], repeated: [], errors: [] };
  const active = (await deps.store.schedules.list()).filter((s) => s.status === 'Active');
  for (let i = 0; i < active.length; i += CONCURRENCY) {
    await Promise.all(
      active.slice(i, i + CONCURRENCY).map(async (s) => {
        try {
          if (s.dataTrigger) {
            if (s.window && Date.parse(s.window.closesAt) <= now.getTime()) await closeWindow(deps, s, report);
          } else {
            await fireDue(deps, s, now, report);
          }
        } catch (err) {
          // One schedule's storage trouble must not stop the others; the next tick retries it.
          deps.log.error(`Schedule ${s.id} was not evaluated: ${(err as Error).message}`, err);
          report.errors.push({ scheduleId: s.id, code: 'EvaluationFailed', message: (err as Error).message });
        }
      }),
    );
  }
  return report;
}

async function fireDue(deps: ScheduleDeps, s: ScheduleRecord, now: Date, report: EvaluationReport): Promise<void> {
  const nowIso = now.toISOString();
  if (s.lastEvaluatedAt >= nowIso) return;
  let fireTime: string | undefined;
  let runId: string | undefined;
  let started = false;
  let error: ScheduleError | undefined;
  let advance = true;
  try {
    const due = lastFireTimeBetween(timingOf(s)!, new Date(s.lastEvaluatedAt), now);
    if (due) {
      fireTime = due.toISOString();
      runId = fireRunId(s.id, due);
      const outcome = await startScheduledRun(deps, s, { runId, triggeredBy: 'schedule', fireTime });
      started = true;
      (outcome.created ? report.started : report.repeated).push(runId);
    }
  } catch (err) {
    error = scheduleError(err, nowIso, fireTime ?? 'the schedule');
    advance = !isRetryable(err);
    report.errors.push({ scheduleId: s.id, code: error.code, message: error.message });
    deps.log.warn(`Schedule ${s.id}: ${fireTime ?? 'evaluation'}: ${error.message}`);
  }
  await saveState(deps, s.id, (current) => {
    // A definition changed meanwhile (PATCH, disable/enable) reset lastEvaluatedAt itself: leave it.
    const sameDefinition = current.updatedAt === s.updatedAt && current.status === 'Active';
    return orNothing({
      ...(advance && sameDefinition && current.lastEvaluatedAt < nowIso ? { lastEvaluatedAt: nowIso } : {}),
      ...(started && fireTime && runId ? runPatch(current, fireTime, runId) : {}),
      ...errorPatch(current, error),
    });
  });
}
