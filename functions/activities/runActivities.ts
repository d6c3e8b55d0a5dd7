import { deadlineDelaySeconds, paths, type DeadlineMessage, type JobMessage } from '../../shared/compute/messages';
import { toJobMessage } from '../../shared/engine';
import { computeQueue, CONTAINERS, QUEUES } from '../../shared/store/names';
import { isTerminalStepStatus, type StepRunRecord, type Store, type Stored } from '../../shared/store';
import { stepRunId } from '../../shared/store/model';
import {
  resultDeadlineSeconds,
  type CancelStepsInput,
  type CancelStepsResult,
  type FinishRunInput,
  type LaunchResult,
  type LaunchStepsInput,
  type PipelineRunInput,
  type RunGraph,
  type SkipStepsInput,
} from '../../orchestrators/contracts';
import type { LoadedRun, PlanLoader } from './loadPlan';
import { planWithProducerLocations } from './reuseInputs';
import { decideLaunches } from './reuseLaunch';

export interface RunActivitiesDeps {
  store: Store;
  loadRun: PlanLoader;
  /**
   * Puts a message on a Storage queue (JSON; the sender encodes it as the queue trigger expects), visible after
   * `delaySeconds` when given.
   */
  enqueue(queue: string, message: JobMessage | DeadlineMessage, delaySeconds?: number): Promise<void>;
  now(): Date;
}

/** One attempt to put on a queue; for a first attempt, its row as read and its reuse decision to record. */
interface AttemptToQueue {
  step: string;
  attempt: number;
  row?: Stored<StepRunRecord>;
  record?: Pick<StepRunRecord, 'reuseKey' | 'reuseReasons'>;
}

export { stepRunId } from '../../shared/store/model';

/**
 * The activities of a pipeline run: small adapters between the orchestrators and the store/queues. Each may run more
 * than once (Durable activities are at-least-once), so each is written to be safe to repeat.
 */
export function createRunActivities(deps: RunActivitiesDeps) {
  const { store, loadRun } = deps;
  const now = () => deps.now().toISOString();

  /**
   * Puts one attempt of a step on its compute queue, with a deadline message behind it. Safe to repeat: a repeat
   * re-enqueues the same attempt (workers skip a job whose attempt is already running or finished), and an attempt
   * older than the row's is left alone.
   */
  async function dispatch(loaded: LoadedRun, instanceId: string, a: AttemptToQueue): Promise<LaunchResult> {
    const { run, plan } = loaded;
    const { step: name, attempt } = a;
    const step = plan.steps[name];
    /** Why the attempt is canceled instead of queued, if it is. */
    let canceled =
      step.type !== 'python' && step.type !== 'command'
        ? `step type "${step.type}" cannot run yet; use a python or command step`
        : run.cancelRequested
          ? 'the run was canceled'
          : undefined;
    let stale = false;
    await store.stepRuns.update(
      run.id,
      name,
      (s) => {
        if (isTerminalStepStatus(s.status) || s.attempt > attempt) {
          stale = true;
          return undefined;
        }
        if (s.cancelRequested) canceled ??= 'the step was canceled';
        if (canceled) {
          return { status: 'Canceled', endedAt: now(), error: { code: 'Canceled', message: canceled } };
        }
        return {
          ...a.record,
          status: 'Queued',
          attempt,
          maxAttempts: step.retries + 1,
          queuedAt: now(),
          error: undefined,
          log: { container: CONTAINERS.logs, path: paths.log(run.id, name, attempt) },
        };
      },
      a.row,
    );
    if (canceled) return { step: name, outcome: 'canceled', message: canceled };
    if (stale) return { step: name, outcome: 'queued', attempt };
    const job = toJobMessage(await planWithProducerLocations(store, plan, name), name, {
      stepRunId: stepRunId(run.id, name),
      attempt,
      instanceId,
      experiment: run.experiment,
    });
    const seconds = resultDeadlineSeconds(step.timeoutSeconds);
    const nowMs = deps.now().getTime();
    const deadline: DeadlineMessage = {
      kind: 'deadline',
      runId: run.id,
      step: name,
      attempt,
      instanceId,
      dueAt: new Date(nowMs + seconds * 1000).toISOString(),
      seconds,
    };
    await Promise.all([
      deps.enqueue(computeQueue(job.compute), job),
      deps.enqueue(QUEUES.stepResults, deadline, deadlineDelaySeconds(deadline, nowMs)),
    ]);
    return { step: name, outcome: 'queued', attempt };
  }

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

    async launchSteps(input: LaunchStepsInput): Promise<LaunchResult[]> {
      // The step rows are read alongside the run and its plan; each step that runs is then queued with one write
      // (its reuse decision included) on the row as read.
      const stepRuns = input.steps.length > 0 ? store.stepRuns.list(input.runId) : undefined;
      stepRuns?.catch(() => undefined); // awaited in decideLaunches
      const loaded = await loadRun(input.runId);
      // Reuse first (reuseLaunch.ts): a reused step completes here without a job; the others run.
      const decided =
        input.steps.length > 0
          ? await decideLaunches(deps, loaded, input.steps, stepRuns, { deferRunWrites: true })
          : [];
      const attempts = [
        ...decided.flatMap((d) =>
          d.outcome === 'run' ? [{ step: d.step, attempt: 1, row: d.row, record: d.record }] : [],
        ),
        ...(input.retries ?? []),
      ];
      const dispatched = await Promise.all(attempts.map((a) => dispatch(loaded, input.instanceId, a)));
      return [
        ...decided.filter((d) => d.outcome === 'reused').map(({ step }) => ({ step, outcome: 'reused' as const })),
        ...dispatched,
      ];
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
      // the worker's result says the tree is gone (recordAttempt makes that result final); one still waiting in a
      // queue is Canceled at once (a worker that receives its job skips it, and one that was about to start it finds
      // the row changed and does not start the process).
      const canceling: string[] = [];
      await Promise.all(
        input.steps.map(async (step) => {
          let stopping = false;
          await store.stepRuns.update(input.runId, step, (s) => {
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
          if (stopping) canceling.push(step);
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
