import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import {
  blockingStep,
  endingOf,
  readySteps,
  runStatus,
  settleBlockedSteps,
  type ProgressOptions,
} from '../shared/engine/progress';
import type { StepStatus } from '../shared/engine/status';
import {
  ACTIVITIES,
  RUN_EVENT,
  type CancelStepsInput,
  type CancelStepsResult,
  type FinishRunInput,
  type LaunchResult,
  type LaunchStepsInput,
  type PipelineRunInput,
  type RunEvent,
  type RunGraph,
  type SkipStepsInput,
} from './contracts';

/**
 * A pipeline run, read as a loop: settle steps that can no longer run, launch every step whose inputs exist (reused
 * steps complete at once; the others get a job on their compute queue) together with the retries of failed
 * attempts, then wait for the next event — a step attempt ended, or a cancel request. Steps start as soon as their
 * inputs exist, not level by level.
 *
 * Per step that runs, this costs one activity (launchSteps, shared by every step that becomes ready at once) and the
 * episode of its result event: the worker's result reaches this orchestration directly, through the `step-results`
 * trigger, which records the attempt first. The step's timeout is enforced by the worker; a job that no worker
 * answers is failed by a deadline message the launch puts on `step-results` (see launchSteps), so this loop never
 * needs a durable timer.
 *
 * It waits on a fresh `run-event` each time rather than on `Task.any` over pending tasks: re-yielding tasks that
 * were already scheduled would schedule them again on Azure (the SDK re-emits their actions).
 */
export const pipelineRun: OrchestrationHandler = function* (context: OrchestrationContext) {
  const { runId } = context.df.getInput<PipelineRunInput>();
  try {
    return yield* sequence(context, runId);
  } catch (err) {
    // An activity failed for good (storage unreachable beyond its retries, a corrupt record): the run must not stay
    // Running forever, so it fails with the reason, and the orchestration with it.
    const message = `the run's orchestration failed: ${(err as Error)?.message ?? String(err)}`;
    const finish: FinishRunInput = { runId, status: 'Failed', message };
    yield context.df.callActivity(ACTIVITIES.finishRun, finish);
    throw err;
  }
};

// The SDK sends back each yielded task's result, hence `any` for what `yield` returns.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function* sequence(context: OrchestrationContext, runId: string): Generator<Task, FinishRunInput, any> {
  const graph: RunGraph = yield context.df.callActivity(ACTIVITIES.startRun, { runId });
  const statuses: Record<string, StepStatus> = {};
  /** The attempt each queued or running step is on; events for any other attempt are stale. */
  const attempts: Record<string, number> = {};
  const options: ProgressOptions = { continueOnStepFailure: graph.continueOnStepFailure, cancelRequested: false };
  let cancelReason: string | undefined;
  let failure: string | undefined;
  /** Why the run stopped without a failure or a cancel request: a step that could not run (e.g. its type). */
  let stopped: string | undefined;
  /** How each step that ended badly ended (`failed: …`, `was canceled: …`), for the steps it keeps from starting. */
  const endings: Record<string, string> = {};
  let retries: { step: string; attempt: number }[] = [];
  /** Set when a step ended badly or a cancel arrived: only then can a step become blocked. */
  let settle = false;
  let changed = true;

  // NotStarted steps already recorded as never starting (they wait for a failed or canceled step).
  const blocked = new Set<string>();

  for (;;) {
    if (settle) {
      settle = false;
      const settled = settleBlockedSteps(graph, statuses, options);
      const reason = cancelReason ?? failure ?? stopped ?? 'an upstream step did not complete';
      if (settled.cancel.length > 0) {
        for (const step of settled.cancel) statuses[step] = 'Canceled';
        const input: SkipStepsInput = { runId, steps: settled.cancel, status: 'Canceled', reason };
        yield context.df.callActivity(ACTIVITIES.skipSteps, input);
      }
      const newlyBlocked = settled.neverStart.filter((step) => !blocked.has(step));
      if (newlyBlocked.length > 0) {
        const reasons: Record<string, string> = {};
        for (const step of newlyBlocked) {
          blocked.add(step);
          const by = blockingStep(graph, statuses, step);
          if (by && endings[by]) reasons[step] = `upstream step ${by} ${endings[by]}`;
        }
        const input: SkipStepsInput = { runId, steps: newlyBlocked, status: 'NotStarted', reason, reasons };
        yield context.df.callActivity(ACTIVITIES.skipSteps, input);
      }
    }

    const ready = changed ? readySteps(graph, statuses, options) : [];
    changed = false;
    if (ready.length > 0 || retries.length > 0) {
      const input: LaunchStepsInput = { runId, instanceId: context.df.instanceId, steps: ready, retries };
      retries = [];
      const launched: LaunchResult[] = yield context.df.callActivity(ACTIVITIES.launchSteps, input);
      for (const result of launched) {
        if (result.outcome === 'queued') {
          statuses[result.step] = 'Queued';
          attempts[result.step] = result.attempt;
        } else {
          statuses[result.step] = result.outcome === 'reused' ? 'Completed' : 'Canceled';
          if (result.outcome === 'canceled') {
            settle = true;
            endings[result.step] = endingOf('Canceled', result.message);
            if (!options.cancelRequested) stopped ??= `step ${result.step} ${endings[result.step]}`;
          }
          changed = true;
        }
      }
      continue;
    }

    const running = graph.order.filter(
      (s) => statuses[s] === 'Queued' || statuses[s] === 'Running' || statuses[s] === 'Canceling',
    );
    if (running.length === 0) break;

    const event: RunEvent = yield context.df.waitForExternalEvent(RUN_EVENT);
    if (event.type === 'cancel') {
      if (!options.cancelRequested) {
        options.cancelRequested = true;
        cancelReason = event.reason ?? 'the run was canceled';
        const input: CancelStepsInput = { runId, steps: running, reason: cancelReason };
        // Steps whose process started stay Canceling until their worker's result says the process tree is gone.
        const result: CancelStepsResult | undefined = yield context.df.callActivity(ACTIVITIES.cancelSteps, input);
        const canceling = new Set(result?.canceling ?? []);
        for (const step of running) statuses[step] = canceling.has(step) ? 'Canceling' : 'Canceled';
        settle = true;
      }
    } else if (
      (statuses[event.step] === 'Queued' ||
        statuses[event.step] === 'Running' ||
        statuses[event.step] === 'Canceling') &&
      attempts[event.step] === event.attempt
    ) {
      if (!event.final) {
        // A failed attempt with attempts left: the step stays open and is dispatched again with the next launch
        // (unless the run stops first, in which case it is settled below like any other open step).
        if (options.cancelRequested) continue;
        retries.push({ step: event.step, attempt: event.attempt + 1 });
        attempts[event.step] = event.attempt + 1;
        continue;
      }
      statuses[event.step] = event.status;
      changed = true;
      if (event.status !== 'Completed') {
        settle = true;
        endings[event.step] = endingOf(event.status, event.message);
      }
      if (event.status === 'Failed') failure ??= `step ${event.step} ${endings[event.step]}`;
      else if (event.status === 'Canceled' && !options.cancelRequested)
        stopped ??= `step ${event.step} ${endings[event.step]}`; // e.g. its worker saw the cancel flag first
    }
  }

  const final = runStatus(graph, statuses, options);
  const status: FinishRunInput['status'] =
    final === 'Completed' ? 'Completed' : final === 'Failed' ? 'Failed' : 'Canceled';
  const finish: FinishRunInput = {
    runId,
    status,
    message: status === 'Canceled' ? (cancelReason ?? stopped) : failure,
  };
  yield context.df.callActivity(ACTIVITIES.finishRun, finish);
  return finish;
}
