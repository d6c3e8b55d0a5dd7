import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { readySteps, runStatus, settleBlockedSteps, type ProgressOptions } from '../shared/engine/progress';
import type { StepStatus } from '../shared/engine/status';
import {
  ACTIVITIES,
  RUN_EVENT,
  type CancelStepsInput,
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
 * steps complete at once; the others run in their own `stepRun` orchestration), then wait for the next event —
 * a step finished, or a cancel request. Steps start as soon as their inputs exist, not level by level.
 *
 * It waits on a fresh `run-event` each time rather than on `Task.any` over running steps: re-yielding tasks that
 * were already scheduled would schedule them again on Azure (the SDK re-emits their actions).
 */
export const pipelineRun: OrchestrationHandler = function* (context: OrchestrationContext) {
  const { runId } = context.df.getInput<PipelineRunInput>();
  const graph: RunGraph = yield context.df.callActivity(ACTIVITIES.startRun, { runId });
  const statuses: Record<string, StepStatus> = {};
  const options: ProgressOptions = { continueOnStepFailure: graph.continueOnStepFailure, cancelRequested: false };
  let cancelReason: string | undefined;
  let failure: string | undefined;

  // NotStarted steps already recorded as never starting (they wait for a failed or canceled step).
  const blocked = new Set<string>();

  for (;;) {
    const settled = settleBlockedSteps(graph, statuses, options);
    const reason = cancelReason ?? failure ?? 'an upstream step failed';
    if (settled.cancel.length > 0) {
      for (const step of settled.cancel) statuses[step] = 'Canceled';
      const input: SkipStepsInput = { runId, steps: settled.cancel, status: 'Canceled', reason };
      yield context.df.callActivity(ACTIVITIES.skipSteps, input);
    }
    const newlyBlocked = settled.neverStart.filter((step) => !blocked.has(step));
    if (newlyBlocked.length > 0) {
      for (const step of newlyBlocked) blocked.add(step);
      const input: SkipStepsInput = { runId, steps: newlyBlocked, status: 'NotStarted', reason };
      yield context.df.callActivity(ACTIVITIES.skipSteps, input);
    }

    const ready = readySteps(graph, statuses, options);
    if (ready.length > 0) {
      const input: LaunchStepsInput = { runId, parentInstanceId: context.df.instanceId, steps: ready };
      const launched: LaunchResult[] = yield context.df.callActivity(ACTIVITIES.launchSteps, input);
      for (const result of launched) statuses[result.step] = result.outcome === 'reused' ? 'Completed' : 'Queued';
      continue;
    }

    const running = graph.order.filter((s) => statuses[s] === 'Queued' || statuses[s] === 'Running');
    if (running.length === 0) break;

    const event: RunEvent = yield context.df.waitForExternalEvent(RUN_EVENT);
    if (event.type === 'cancel') {
      if (!options.cancelRequested) {
        options.cancelRequested = true;
        cancelReason = event.reason ?? 'the run was canceled';
        const input: CancelStepsInput = { runId, steps: running, reason: cancelReason };
        yield context.df.callActivity(ACTIVITIES.cancelSteps, input);
      }
    } else if (statuses[event.step] === 'Queued' || statuses[event.step] === 'Running') {
      statuses[event.step] = event.status;
      if (event.status === 'Failed')
        failure ??= `step ${event.step} failed${event.message ? `: ${event.message}` : ''}`;
    }
  }

  const final = runStatus(graph, statuses, options);
  const status: FinishRunInput['status'] =
    final === 'Completed' ? 'Completed' : final === 'Failed' ? 'Failed' : 'Canceled';
  const finish: FinishRunInput = { runId, status, message: status === 'Canceled' ? cancelReason : failure };
  yield context.df.callActivity(ACTIVITIES.finishRun, finish);
  return finish;
};
