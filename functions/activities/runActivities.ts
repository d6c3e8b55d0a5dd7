import { paths, stepResultEvent, type JobMessage } from '../../shared/compute/messages';
import { toJobMessage } from '../../shared/engine';
import { computeQueue } from '../../shared/store/names';
import { isTerminalStepStatus, type Store } from '../../shared/store';
import { CONTAINERS } from '../../shared/store/names';
import {
  ORCHESTRATORS,
  RUN_EVENT,
  type AttemptOutcome,
  type CancelStepsInput,
  type DispatchResult,
  type DispatchStepInput,
  type FinishRunInput,
  type LaunchResult,
  type LaunchStepsInput,
  type NotifyRunInput,
  type PipelineRunInput,
  type RecordStepResultInput,
  type RunGraph,
  type SkipStepsInput,
  type StepRunInput,
} from '../../orchestrators/contracts';
import type { PlanLoader } from './loadPlan';
import { planWithProducerLocations } from './reuseInputs';
import { decideLaunches } from './reuseLaunch';
import { recordReusableResult } from './reuseRecord';

/** What activities need from Durable Functions; adapted from the durable client per invocation. */
export interface DurableOps {
  /** Starts an orchestration; an instance that already exists with this id is left alone (activities may repeat). */
  startOrchestration(name: string, instanceId: string, input: unknown): Promise<void>;
  /** Raises an event; an instance that has finished or does not exist is ignored. */
  raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<void>;
}

export interface RunActivitiesDeps {
  store: Store;
  loadRun: PlanLoader;
  /** Puts a message on a Storage queue (JSON; the sender encodes it as the queue trigger expects). */
  enqueue(queue: string, message: JobMessage): Promise<void>;
  now(): Date;
}

/** The id of a step's own orchestration and of its step run. */
export const stepInstanceId = (runId: string, step: string) => `${runId}:${step}`;

/**
 * The activities of a pipeline run: small adapters between the orchestrators and the store/queues. Each may run more
 * than once (Durable activities are at-least-once), so each is written to be safe to repeat.
 */
export function createRunActivities(deps: RunActivitiesDeps) {
  const { store, loadRun } = deps;
  const now = () => deps.now().toISOString();

  return {
    async startRun({ runId }: PipelineRunInput): Promise<RunGraph> {
      const { run, plan } = await loadRun(runId);
      // The submit created the rows already; create only what is missing (one query instead of a failed insert
      // per step), so a run whose rows were lost still gets them.
      const existing = new Set((await store.stepRuns.list(runId)).map((s) => s.step));
      await store.stepRuns.createMany(
        runId,
        plan.order
          .filter((name) => !existing.has(name))
          .map((name) => ({
            step: name,
            type: plan.steps[name].type,
            compute: plan.steps[name].compute,
            dependsOn: plan.steps[name].dependsOn,
          })),
      );
      await store.runs.update(runId, (r) =>
        r.status === 'NotStarted' ? { status: 'Running', startedAt: r.startedAt ?? now() } : undefined,
      );
      const steps = Object.fromEntries(plan.order.map((name) => [name, { dependsOn: plan.steps[name].dependsOn }]));
      return { runId, continueOnStepFailure: run.continueOnStepFailure, order: plan.order, steps };
    },

    async launchSteps(input: LaunchStepsInput, durable: DurableOps): Promise<LaunchResult[]> {
      // Reuse first (reuseLaunch.ts): a reused step completes here without a job; the others run.
      const stepRuns = store.stepRuns.list(input.runId);
      stepRuns.catch(() => undefined); // read alongside the plan; awaited in decideLaunches
      const decided = await decideLaunches(deps, await loadRun(input.runId), input.steps, stepRuns);
      const results: LaunchResult[] = [];
      for (const { step, outcome } of decided) {
        if (outcome === 'reused') {
          results.push({ step, outcome: 'reused' });
          continue;
        }
        const instanceId = stepInstanceId(input.runId, step);
        const stepInput: StepRunInput = { runId: input.runId, step, parentInstanceId: input.parentInstanceId };
        await durable.startOrchestration(ORCHESTRATORS.stepRun, instanceId, stepInput);
        results.push({ step, outcome: 'started', instanceId });
      }
      return results;
    },

    async skipSteps(input: SkipStepsInput): Promise<void> {
      for (const step of input.steps) {
        await store.stepRuns.update(input.runId, step, (s) =>
          isTerminalStepStatus(s.status)
            ? undefined
            : {
                status: input.status,
                endedAt: input.status === 'Canceled' ? now() : undefined,
                error: { code: input.status === 'Canceled' ? 'Canceled' : 'NotRun', message: input.reason },
              },
        );
      }
    },

    async cancelSteps(input: CancelStepsInput, durable: DurableOps): Promise<void> {
      for (const step of input.steps) {
        // Flag first, then read the attempt: a dispatch racing with this either sees the flag or is seen here.
        const row = await store.stepRuns.update(input.runId, step, () => ({ cancelRequested: true }));
        if (row.attempt >= 1 && !isTerminalStepStatus(row.status)) {
          const outcome: AttemptOutcome = { status: 'Canceled', message: input.reason };
          await durable.raiseEvent(
            stepInstanceId(input.runId, step),
            stepResultEvent(stepInstanceId(input.runId, step), row.attempt),
            outcome,
          );
        }
      }
    },

    async finishRun(input: FinishRunInput): Promise<void> {
      await store.runs.update(input.runId, (r) =>
        r.status === 'Completed' || r.status === 'Failed' || r.status === 'Canceled'
          ? undefined
          : {
              status: input.status,
              endedAt: now(),
              error:
                input.status === 'Completed'
                  ? undefined
                  : { code: input.status === 'Canceled' ? 'Canceled' : 'StepFailed', message: input.message ?? '' },
            },
      );
    },

    async dispatchStep(input: DispatchStepInput): Promise<DispatchResult> {
      const { run, plan } = await loadRun(input.runId);
      const step = plan.steps[input.step];
      if (step.type !== 'python' && step.type !== 'command') {
        return { dispatched: false, reason: `${step.type} steps cannot run yet; use a python or command step` };
      }
      // loadRun read the run just now (only the plan is cached), so its cancel flag is current.
      if (run.cancelRequested) return { dispatched: false, reason: 'the run was canceled' };
      const stepRunId = stepInstanceId(input.runId, input.step);
      let canceled = false;
      await store.stepRuns.update(input.runId, input.step, (s) => {
        canceled = s.cancelRequested;
        if (canceled || s.attempt > input.attempt) return undefined;
        return {
          status: 'Queued',
          attempt: input.attempt,
          queuedAt: now(),
          error: undefined,
          log: { container: CONTAINERS.logs, path: paths.log(input.runId, input.step, input.attempt) },
        };
      });
      if (canceled) return { dispatched: false, reason: 'the step was canceled' };
      const job = toJobMessage(await planWithProducerLocations(store, plan, input.step), input.step, {
        stepRunId,
        attempt: input.attempt,
        instanceId: input.instanceId,
        experiment: run.experiment,
      });
      await deps.enqueue(computeQueue(job.compute), job);
      return { dispatched: true, stepRunId, timeoutSeconds: step.timeoutSeconds, maxAttempts: step.retries + 1 };
    },

    async recordStepResult(input: RecordStepResultInput): Promise<AttemptOutcome> {
      const row = await store.stepRuns.update(input.runId, input.step, (s) => {
        if (s.attempt !== input.attempt || isTerminalStepStatus(s.status)) return undefined;
        const error =
          input.outcome.status === 'Completed'
            ? undefined
            : {
                code: input.outcome.status === 'Canceled' ? 'Canceled' : 'StepFailed',
                message: input.outcome.message ?? '',
              };
        if (input.willRetry) return { status: 'Queued', error };
        return { status: input.outcome.status, endedAt: s.endedAt ?? now(), error };
      });
      // A step that completed by running becomes reusable (reuseRecord.ts).
      if (!input.willRetry && row.status === 'Completed' && row.attempt === input.attempt) {
        await recordReusableResult(store, (await loadRun(input.runId)).plan.pipeline, row, deps.now);
      }
      // The table is the record of truth (the step-results trigger may have recorded the attempt first).
      if (!input.willRetry && isTerminalStepStatus(row.status) && row.attempt === input.attempt) {
        return { status: row.status as AttemptOutcome['status'], message: row.error?.message };
      }
      return input.outcome;
    },

    async notifyRun(input: NotifyRunInput, durable: DurableOps): Promise<void> {
      await durable.raiseEvent(input.instanceId, RUN_EVENT, input.event);
    },
  };
}

export type RunActivities = ReturnType<typeof createRunActivities>;
