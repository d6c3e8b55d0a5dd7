import { fullResult } from '../compute/fullResult';
import { crashPoint } from '../crashPoint';
import { DeadlineMessage, deadlineDelaySeconds, ResultMessage } from '../compute/messages';
import { recordReusableResult } from '../reuse/cacheResult';
import type { Store } from '../store';
import { QUEUES } from '../store/names';
import { recordAttempt, recordAttemptEnd, type RecordedAttempt } from './attempts';
import type { DispatchDeps } from './dispatch';
import type { PlanLoader } from './loadPlan';
import { launchSuccessors } from './launchNext';
import type { LaunchResult, RunEvent } from './runLoop';

/**
 * What arrives on `step-results` (the `stepResults` queue trigger is its adapter): a worker's result, recorded
 * (outputs, metrics, and the step's status when the attempt is final, attempts.ts) and then told to the run's
 * orchestration as a `run-event`; or a deadline message (put there by the launch, dispatch.ts, visible once the
 * attempt's deadline passed), which fails an attempt that still has no result. A malformed message is logged and
 * dropped (retrying cannot fix it).
 */

export interface StepResultDeps extends Pick<DispatchDeps, 'enqueue'> {
  store: Store;
  loadRun: PlanLoader;
  /** Raises the run's `run-event` on its orchestration (an instance that ended is ignored). */
  tell(instanceId: string, event: RunEvent): Promise<void>;
  now(): Date;
  log(message: string): void;
  error(message: string): void;
  /**
   * Launch a completed step's ready successors here, before the run is told (launchNext.ts); the stepResults
   * trigger sets it. A host killed between that launch and the event is safe: the redelivered result tells the run
   * without naming the successor, the run launches it itself (launchSteps sends no second job for an attempt a
   * worker started) and takes the successor's result even when it arrived first (runLoop.ts, `early`).
   */
  launchSuccessors?: boolean;
  /** The attempt's end is recorded: its deadline message may go (best effort, off the path; enqueue.ts). */
  settleDeadline?(runId: string, step: string, attempt: number): void;
}

export async function handleStepResult(deps: StepResultDeps, message: unknown): Promise<void> {
  const { store, now } = deps;
  const deadline = DeadlineMessage.safeParse(message);
  if (deadline.success) {
    const d = deadline.data;
    const delay = deadlineDelaySeconds(d, now().getTime());
    if (delay > 1) {
      // Beyond what one queue delay can cover: wait another hop.
      await deps.enqueue(QUEUES.stepResults, d, delay);
      return;
    }
    const text =
      `no result within ${d.seconds} s of dispatch; ` + "is a worker running for this step's compute target?";
    const recorded = await recordAttemptEnd(
      store,
      { runId: d.runId, step: d.step, attempt: d.attempt, status: 'Failed', message: text },
      now,
    );
    // An attempt that ended before its deadline (`repeat`) was told by its own result.
    if (recorded && !recorded.repeat) await deps.tell(d.instanceId, runEvent(d.step, d.attempt, recorded));
    return;
  }
  const parsed = ResultMessage.safeParse(message);
  if (!parsed.success) {
    deps.error(`Dropped a malformed step result: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    return;
  }
  // The run and all its step rows are read while the full result is fetched: the step's own row for the ETag of
  // its write, the others for what its completion makes ready (launchNext.ts) — one round trip for both.
  const reading = Promise.all([store.stepRuns.list(parsed.data.runId), deps.loadRun(parsed.data.runId)]);
  reading.catch(() => undefined); // awaited next
  const result = await fullResult(store.logs, parsed.data);
  const [rows, loaded] = await reading;
  const recorded = await recordAttempt(
    store,
    result,
    now,
    rows.find((r) => r.step === result.step),
  );
  if (!recorded) {
    deps.log(`Ignored a stale result for ${result.stepRunId} attempt ${result.attempt}.`);
    return;
  }
  crashPoint('step-results:recorded');
  deps.settleDeadline?.(result.runId, result.step, result.attempt);
  const completed = recorded.final && recorded.status === 'Completed';
  // A step that completed by running becomes reusable (shared/reuse/cacheResult.ts; an upsert, so a repeat is
  // harmless), while its ready successors are launched and the run is told; the message is deleted only once all
  // of that is done.
  const reusable = async () => {
    if (!completed) return;
    await recordReusableResult(store, loaded.plan.pipeline, recorded.row, now);
  };
  const launchAndTell = async () => {
    // A repeat (a redelivery) launches nothing: what the first delivery launched is no longer NotStarted, and the
    // run loop launches whatever the event does not name (launchNext.ts).
    const launched =
      deps.launchSuccessors && completed && !recorded.repeat
        ? await launchSuccessors(
            deps,
            { runId: result.runId, instanceId: result.instanceId, step: result.step },
            { loaded, stepRuns: rows.map((r) => (r.step === result.step ? recorded.row : r)) },
          )
        : [];
    if (launched.length > 0) crashPoint('step-results:launched');
    await deps.tell(result.instanceId, runEvent(result.step, result.attempt, recorded, launched));
  };
  await Promise.all([reusable(), launchAndTell()]);
  crashPoint('step-results:told');
}

function runEvent(step: string, attempt: number, r: RecordedAttempt, launched: LaunchResult[] = []): RunEvent {
  return {
    type: 'step',
    step,
    attempt,
    status: r.status,
    final: r.final,
    message: r.message,
    ...(launched.length > 0 && { launched }),
  };
}
