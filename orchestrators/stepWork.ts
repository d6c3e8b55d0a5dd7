import { RetryOptions, type OrchestrationContext, type OrchestrationHandler, type Task } from 'durable-functions';
import { failedWork } from '../shared/engine/stepWork';
import { findStepKind } from '../shared/steps/registry';
import type { StepWorkContext } from '../shared/steps/kind';
import {
  ACTIVITIES,
  type FinishStepWorkInput,
  type StartStepWorkResult,
  type StepWorkActivityInput,
  type StepWorkJob,
  type StepWorkOutcome,
} from './contracts';

/** Activities of the seam and of kinds are retried: 3 tries in all, 2 s then 4 s apart. */
const RETRY = (() => {
  const retry = new RetryOptions(2000, 3);
  retry.backoffCoefficient = 2;
  return retry;
})();

/**
 * One attempt of a step that runs outside workers (a kind with `work`, shared/steps/kind.ts): marks it Running,
 * runs the kind's orchestration, and posts how it ended on `step-results` — where it is recorded and told to the run
 * like a worker's result. Started once per attempt by the `step-work` trigger (instance `work:<run>:<step>:<n>`).
 */
export const stepWork: OrchestrationHandler = function* (context: OrchestrationContext) {
  const job = context.df.getInput<StepWorkJob>();
  const started: StartStepWorkResult = yield context.df.callActivityWithRetry(ACTIVITIES.startStepWork, RETRY, job);
  if (started.outcome === 'stale') return started.reason;
  let outcome: StepWorkOutcome;
  if (started.outcome === 'canceled') {
    outcome = { status: 'Canceled', errorKind: 'canceled', message: 'the step was canceled before it started' };
  } else {
    const work = findStepKind(job.type)?.work;
    if (!work) {
      outcome = {
        status: 'Failed',
        errorKind: 'system',
        message: `the Functions app cannot run a step of type "${job.type}"; load its step kind module (SLUICE_STEP_KIND_MODULES)`,
      };
    } else {
      const ctx: StepWorkContext = {
        job,
        step: started.step,
        startedAt: started.startedAt,
        activity: (name, input) => {
          const call: StepWorkActivityInput = { job, name, input };
          return context.df.callActivityWithRetry(ACTIVITIES.stepWorkActivity, RETRY, call);
        },
        sleep: (ms): Task => context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + ms)),
        now: () => context.df.currentUtcDateTime,
      };
      try {
        outcome = yield* work.orchestrate(ctx);
      } catch (err) {
        outcome = failedWork(err);
      }
    }
  }
  const finish: FinishStepWorkInput = { job, outcome, startedAt: started.startedAt };
  yield context.df.callActivityWithRetry(ACTIVITIES.finishStepWork, RETRY, finish);
  return outcome.status;
};
