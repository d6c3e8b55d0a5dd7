import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { stepResultEvent } from '../shared/compute/messages';
import {
  ACTIVITIES,
  type AttemptOutcome,
  type DispatchResult,
  type DispatchStepInput,
  type FinishStepInput,
  type NotifyRunInput,
  type RecordStepResultInput,
  type RunEvent,
  type StepRunInput,
} from './contracts';

/**
 * How long after dispatch a step may stay silent before its orchestration gives up on it. The worker enforces the
 * step's own timeout; this backstop covers a lost worker and a job that waited in the queue or was redelivered
 * after a worker crash (so it allows two full runs plus ten minutes).
 */
export function resultDeadlineSeconds(timeoutSeconds: number): number {
  return 2 * timeoutSeconds + 600;
}

/**
 * One step of a run, attempt by attempt: enqueue the job, wait for its result raced against a durable timer, record
 * it, retry a failed attempt while attempts remain, then tell the run (the last attempt is recorded and reported in
 * one activity, finishStep). Every task is yielded exactly once (a fresh event wait and timer per attempt), which
 * keeps the action list identical on the local host and on Azure.
 */
export const stepRun: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<StepRunInput>();
  const { runId, step } = input;
  let outcome: AttemptOutcome = { status: 'Failed', message: 'the step did not run' };
  for (let attempt = 1; ; attempt++) {
    const dispatchInput: DispatchStepInput = { runId, step, attempt, instanceId: context.df.instanceId };
    const dispatch: DispatchResult = yield context.df.callActivity(ACTIVITIES.dispatchStep, dispatchInput);
    if (!dispatch.dispatched) {
      outcome = { status: 'Canceled', message: dispatch.reason };
      break;
    }
    const result = context.df.waitForExternalEvent(stepResultEvent(dispatch.stepRunId, attempt));
    const deadline = new Date(
      context.df.currentUtcDateTime.getTime() + resultDeadlineSeconds(dispatch.timeoutSeconds) * 1000,
    );
    const timer = context.df.createTimer(deadline);
    const winner = yield context.df.Task.any([result, timer]);
    let reported: AttemptOutcome;
    if (winner === result) {
      timer.cancel();
      reported = result.result as AttemptOutcome;
    } else {
      reported = {
        status: 'Failed',
        message: `no result within ${resultDeadlineSeconds(dispatch.timeoutSeconds)} s of dispatch; is a worker running for this step's compute target?`,
      };
    }
    const willRetry = reported.status === 'Failed' && attempt < dispatch.maxAttempts;
    const record: RecordStepResultInput = { runId, step, attempt, outcome: reported, willRetry };
    if (!willRetry) {
      // The last attempt: record it and tell the run in one activity.
      const finish: FinishStepInput = { record, parentInstanceId: input.parentInstanceId };
      const finished: AttemptOutcome = yield context.df.callActivity(ACTIVITIES.finishStep, finish);
      return finished;
    }
    outcome = yield context.df.callActivity(ACTIVITIES.recordStepResult, record);
    if (outcome.status !== 'Failed') break;
  }
  // Reached when the step ends without a last attempt of its own: canceled before dispatch, or a retry overtaken.
  const event: RunEvent = { type: 'step', step, status: outcome.status, message: outcome.message };
  const notify: NotifyRunInput = { instanceId: input.parentInstanceId, event };
  yield context.df.callActivity(ACTIVITIES.notifyRun, notify);
  return outcome;
};
