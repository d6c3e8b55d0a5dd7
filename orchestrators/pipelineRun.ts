import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import { initialRunLoopState, runLoop, type RunLoopCommand, type RunLoopEvent } from '../shared/engine/runLoop';
import { publicFailureMessage } from '../shared/errors';
import {
  ACTIVITIES,
  RUN_EVENT,
  type CancelStepsInput,
  type CancelStepsResult,
  type FinishRunInput,
  type FinishRunResult,
  type LaunchResult,
  type LaunchStepsInput,
  type PipelineRunInput,
  type RunEvent,
  type RunGraph,
  type SkipStepsInput,
  type SkipStepsResult,
  type StartedRun,
} from './contracts';

/**
 * A pipeline run: the run loop of `shared/engine/runLoop.ts` (which holds every rule of it), carried out. Each
 * command becomes an activity or a wait for the next `run-event`, and what it returns goes back in as the next event.
 *
 * Per step that runs, this costs one activity (launchSteps, shared by every step that becomes ready at once) and the
 * episode of its result event: the worker's result reaches this orchestration directly, through the `step-results`
 * trigger, which records the attempt first. The step's timeout is enforced by the worker; a job that no worker
 * answers is failed by the run's deadline sweep, a delayed message on `step-results` that checks the deadline each
 * launch writes on its row (see launchSteps and shared/engine/results.ts), so the run never needs a durable timer.
 *
 * It waits on a fresh `run-event` each time rather than on `Task.any` over pending tasks: re-yielding tasks that
 * were already scheduled would schedule them again on Azure (the SDK re-emits their actions).
 */
export const pipelineRun: OrchestrationHandler = function* (context: OrchestrationContext) {
  const { runId, version } = context.df.getInput<PipelineRunInput>();
  try {
    return yield* sequence(context, runId, version);
  } catch (err) {
    // An activity failed for good (storage unreachable beyond its retries, a corrupt record): the run must not stay
    // Running forever, so it fails with the reason, and the orchestration with it.
    // Only the first line, without server paths, is stored on the run (the API shows it); the stack stays in the log.
    const message = `the run's orchestration failed: ${publicFailureMessage((err as Error)?.message ?? String(err))}`;
    const finish: FinishRunInput = { runId, status: 'Failed', message, unconditional: true };
    yield context.df.callActivity(ACTIVITIES.finishRun, finish);
    throw err;
  }
};

// The SDK sends back each yielded task's result, hence `any` for what `yield` returns.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Orchestration<T> = Generator<Task, T, any>;

function* sequence(context: OrchestrationContext, runId: string, version?: number): Orchestration<FinishRunInput> {
  let { state, command } = version === 2 ? yield* startAndLaunch(context, runId) : yield* startOnly(context, runId);
  for (;;) {
    while (command.type !== 'finish') {
      const event: RunLoopEvent = yield* carryOut(context, runId, command);
      ({ state, command } = runLoop(state, event));
    }
    const finish: FinishRunInput = { runId, status: command.status, message: command.message };
    // Nothing (or, replayed from before the answer existed, undefined) when the run ended; else the steps it found
    // still open, which the loop takes in before it finishes again.
    const result: FinishRunResult | undefined = yield context.df.callActivity(ACTIVITIES.finishRun, finish);
    if (!result?.open?.length) return finish;
    ({ state, command } = runLoop(state, { type: 'unfinished', open: result.open }));
  }
}

/** Runs started before version 2: the graph first, and the loop's first launch as its own activity. */
function* startOnly(context: OrchestrationContext, runId: string): Orchestration<ReturnType<typeof runLoop>> {
  const graph: RunGraph = yield context.df.callActivity(ACTIVITIES.startRun, { runId });
  return runLoop(initialRunLoopState(), { type: 'started', graph });
}

/**
 * The graph and the loop's first launch from one activity: the loop derives that launch from the graph as the
 * activity did (a pure reducer), and takes the activity's answer for it.
 */
function* startAndLaunch(context: OrchestrationContext, runId: string): Orchestration<ReturnType<typeof runLoop>> {
  const input = { runId, instanceId: context.df.instanceId };
  const started: StartedRun = yield context.df.callActivity(ACTIVITIES.startRunAndLaunch, input);
  const first = runLoop(initialRunLoopState(), { type: 'started', graph: started.graph });
  if (first.command.type !== 'launch' || !started.launched) return first;
  return runLoop(first.state, { type: 'launched', results: started.launched });
}

/** One command as the activity (or wait) that carries it out, and its answer as the loop's next event. */
function* carryOut(context: OrchestrationContext, runId: string, command: RunLoopCommand): Orchestration<RunLoopEvent> {
  switch (command.type) {
    case 'skip': {
      const { steps, status, reason, reasons } = command;
      const input: SkipStepsInput = { runId, steps, status, reason, ...(reasons ? { reasons } : {}) };
      const result: SkipStepsResult | undefined = yield context.df.callActivity(ACTIVITIES.skipSteps, input);
      return { type: 'skipped', canceling: result?.canceling };
    }
    case 'launch': {
      const input: LaunchStepsInput = {
        runId,
        instanceId: context.df.instanceId,
        steps: command.steps,
        retries: command.retries,
      };
      const results: LaunchResult[] = yield context.df.callActivity(ACTIVITIES.launchSteps, input);
      return { type: 'launched', results };
    }
    case 'cancel': {
      const input: CancelStepsInput = { runId, steps: command.steps, reason: command.reason };
      const result: CancelStepsResult | undefined = yield context.df.callActivity(ACTIVITIES.cancelSteps, input);
      return { type: 'canceling-settled', canceling: result?.canceling };
    }
    case 'wait': {
      const event: RunEvent = yield context.df.waitForExternalEvent(RUN_EVENT);
      return event;
    }
    case 'finish':
      throw new Error('finish is carried out by the caller');
  }
}
