import { isTerminalStepStatus } from '../store';
import { findStepKind } from '../steps/registry';
import { launchSteps, type DispatchDeps, type LaunchStepsInput } from './dispatch';
import type { LaunchResult, RunGraph } from './runLoop';

export { stepRunId } from '../store/model';
export { resultDeadlineSeconds, type LaunchStepsInput } from './dispatch';

/**
 * The activities of a pipeline run (orchestrators/contracts.ts names them): what the run loop's commands write to
 * the store and the queues. Each may run more than once (Durable activities are at-least-once), so each is written
 * to be safe to repeat. functions/activities/ only binds them to Durable Functions.
 */

export type RunActivitiesDeps = DispatchDeps;

export interface PipelineRunInput {
  runId: string;
}

export interface SkipStepsInput {
  runId: string;
  steps: string[];
  status: 'Canceled' | 'NotStarted';
  reason: string;
  /** A reason of its own for some steps (e.g. the upstream step that keeps them from starting). */
  reasons?: Record<string, string>;
}

export interface CancelStepsInput {
  runId: string;
  steps: string[];
  reason: string;
}

/** The steps of a cancel whose process had started: Canceling until their results arrive (the rest are Canceled). */
export interface CancelStepsResult {
  canceling: string[];
}

export interface FinishRunInput {
  runId: string;
  status: 'Completed' | 'Failed' | 'Canceled';
  message?: string;
}

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

    /** Reuse decisions and dispatch of attempts: shared/engine/dispatch.ts. */
    launchSteps(input: LaunchStepsInput): Promise<LaunchResult[]> {
      return launchSteps(deps, input);
    },

    async skipSteps(input: SkipStepsInput): Promise<void> {
      for (const step of input.steps) {
        await store.stepRuns.update(input.runId, step, (s) =>
          isTerminalStepStatus(s.status)
            ? undefined
            : {
                status: input.status,
                endedAt: input.status === 'Canceled' ? now() : undefined,
                error: {
                  code: input.status === 'Canceled' ? 'Canceled' : 'NotRun',
                  message: input.reasons?.[step] ?? input.reason,
                },
              },
        );
      }
    },

    async cancelSteps(input: CancelStepsInput): Promise<CancelStepsResult> {
      // The flag tells the step's worker to stop the process tree. A step whose process started is Canceling until
      // the worker's result says the tree is gone (attempts.ts makes that result final); one still waiting in a
      // queue is Canceled at once (a worker that receives its job skips it, and one that was about to start it finds
      // the row changed and does not start the process). A kind that runs elsewhere is told (its `cancel`).
      const canceling: string[] = [];
      await Promise.all(
        input.steps.map(async (step) => {
          let stopping = false;
          const row = await store.stepRuns.update(input.runId, step, (s) => {
            stopping = false;
            if (isTerminalStepStatus(s.status)) return { cancelRequested: true };
            if (s.status === 'Running' || s.status === 'Canceling') {
              stopping = true;
              return { cancelRequested: true, status: 'Canceling', error: { code: 'Canceled', message: input.reason } };
            }
            return {
              cancelRequested: true,
              status: 'Canceled',
              endedAt: now(),
              error: { code: 'Canceled', message: input.reason },
            };
          });
          if (!stopping) return;
          canceling.push(step);
          const cancel = row.type === undefined ? undefined : findStepKind(row.type)?.cancel;
          await cancel?.({ runId: input.runId, step, attempt: row.attempt });
        }),
      );
      return { canceling: input.steps.filter((s) => canceling.includes(s)) };
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
  };
}

export type RunActivities = ReturnType<typeof createRunActivities>;
