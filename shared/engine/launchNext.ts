import { readReuseRecord } from '../reuse/record';
import { queuedAsJob } from '../steps/registry';
import type { StepRunRecord, Stored } from '../store';
import { launchSteps, type DispatchDeps } from './dispatch';
import type { LoadedRun } from './loadPlan';
import type { PendingEnd } from './attempts';
import type { LaunchResult } from './runLoop';

/**
 * The step-results trigger launches what a completed step made ready before it tells the run (results.ts), so the
 * run's next episode has nothing to launch and a chain's next job is queued without the orchestration's round
 * trips (the event, the episode's work item and history commit, the launch activity's reads). The run loop takes
 * what the event says was launched as launched (runLoop.ts, `launched` on a step event).
 *
 * Only the plain case is taken here; anything else is left to the run loop, which launches as before:
 * - the run is Running without a cancel request, and no step of it failed, was canceled or is being canceled
 *   (the loop then starts nothing new, or only with `continueOnStepFailure`, which it decides);
 * - the successor is NotStarted with nothing recorded on it and every step it waits for is Completed;
 * - it runs as a job on a worker (other kinds start work that belongs to the orchestration).
 *
 * The rows are those read before the completed attempt was written (one round trip for both), so of two steps
 * completing at once that a third waits for, at most one sees the other Completed — maybe neither, and then the run
 * loop launches the third when it has heard of both; and the third's row is written `Queued` only from NotStarted
 * (ETag-guarded), so it is launched once either way. A step that failed since the read is settled by the run loop
 * (skipSteps stops what was launched here). The launch
 * itself is launchSteps' (reuse decision, row `Queued` with its deadline, job); its row write is ETag-guarded on the rows
 * read here, so a cancel flag written meanwhile is seen. A trigger killed after this launch's row write leaves the
 * successor `Queued`, its job perhaps not sent; the run may learn of it from a later event's rows (`seen`) and will
 * not launch it. So the redelivered result dispatches such a successor again (`again`): a second job only while the
 * successor is still Queued (as after a repeated launch activity; a worker runs the attempt once), none once a
 * worker started it (for a run started before the deadline sweep, a deadline message only), and its result is taken even if it reached the run before the run knew of the
 * step (runLoop.ts, `early`).
 */
export async function launchSuccessors(
  deps: DispatchDeps,
  /**
   * `again`: the result is a repeat (its first delivery's host died after recording it). That delivery may have
   * written a successor `Queued` and died before its job was sent; the run may already know that successor from
   * the rows (`seen`) and never launch it, so a successor found `Queued` with no worker on it is dispatched again
   * (its job sent anew, as launchSteps repeats an attempt; a worker runs the attempt once), and one found `Running`
   * gets its deadline message again if its run predates the deadline sweep.
   */
  input: { runId: string; instanceId: string; step: string; again?: boolean },
  /**
   * The run and its step rows as the caller holds them (the completed step's row as written): not read again.
   * `partial`: only the rows results.ts `rowsForLaunch` names, and any failed, canceled or canceling row. `end`:
   * the completed attempt's end, not yet written (written with the successor's launch, dispatch.ts; the caller
   * writes it when nothing is launched).
   */
  known?: { loaded: LoadedRun; stepRuns: Stored<StepRunRecord>[]; partial?: boolean; end?: PendingEnd },
): Promise<LaunchResult[]> {
  const { store, loadRun } = deps;
  const stepRuns = known ? Promise.resolve(known.stepRuns) : store.stepRuns.list(input.runId);
  stepRuns.catch(() => undefined); // awaited below
  const loaded = known?.loaded ?? (await loadRun(input.runId));
  const rows = new Map((await stepRuns).map((r) => [r.step, r]));
  const { run, plan } = loaded;
  if (run.status !== 'Running' || run.cancelRequested) return [];
  if ([...rows.values()].some((r) => ['Failed', 'Canceled', 'Canceling'].includes(r.status))) return [];
  const successors = plan.order.filter((name) => {
    const step = plan.steps[name];
    return (
      step.dependsOn.includes(input.step) &&
      !rows.get(name)?.cancelRequested &&
      queuedAsJob(step.type) &&
      step.dependsOn.every((d) => rows.get(d)?.status === 'Completed')
    );
  });
  const ready = successors.filter((name) => {
    const row = rows.get(name);
    return row?.status === 'NotStarted' && readReuseRecord(row.reuseReasons) === undefined;
  });
  // A successor already Running is dispatched again too: no job, only the deadline message of a run that predates
  // the sweep (the first delivery may have died between the two).
  const again = input.again
    ? successors.filter((name) => ['Queued', 'Running'].includes(rows.get(name)?.status ?? ''))
    : [];
  if (ready.length === 0 && again.length === 0) return [];
  return launchSteps(
    deps,
    {
      runId: input.runId,
      instanceId: input.instanceId,
      steps: ready,
      retries: again.map((step) => ({ step, attempt: rows.get(step)!.attempt })),
    },
    { loaded, stepRuns: [...rows.values()], onlyNotStarted: true, partial: known?.partial, end: known?.end },
  );
}
