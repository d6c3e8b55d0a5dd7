import { deadlineDelaySeconds, type SweepMessage } from '../compute/messages';
import { isTerminalStepStatus, type StepRunRecord } from '../store';
import { isTerminalRunStatus } from '../store/model';
import { QUEUES } from '../store/names';
import { findStepKind } from '../steps/registry';
import { requestCancelOfUnfinishedSteps } from '../runs/cancelSteps';
import { firstPossibleDeadline, launchSteps, type DispatchDeps, type LaunchStepsInput } from './dispatch';
import type { RunPlan } from './plan';
import { isActive } from './status';
import { initialRunLoopState, runLoop, type LaunchResult, type RunGraph } from './runLoop';

export { stepRunId } from '../store/model';
export { resultDeadlineSeconds, type LaunchStepsInput } from './dispatch';

/**
 * The activities of a pipeline run (orchestrators/contracts.ts names them): what the run loop's commands write to
 * the store and the queues. Each may run more than once (Durable activities are at-least-once), so each is written
 * to be safe to repeat. functions/activities/ only binds them to Durable Functions.
 */

export interface RunActivitiesDeps extends DispatchDeps {
  /** The run has ended: its deadline sweep message may go (best effort, off the path; enqueue.ts). */
  settleSweep?(runId: string): void;
}

export interface PipelineRunInput {
  runId: string;
  /**
   * 2: the run's first activity also launches its first steps (startRunAndLaunch), one activity and its episode
   * fewer per run. Absent: a run started before that keeps its startRun → launchSteps sequence when it is replayed.
   */
  version?: 2;
}

/** What startRunAndLaunch answers: the step graph, and what the run loop's first launch launched. */
export interface StartedRun {
  graph: RunGraph;
  /** Absent when the loop's first command is not a launch (nothing can start). */
  launched?: LaunchResult[];
}

export interface SkipStepsInput {
  runId: string;
  steps: string[];
  status: 'Canceled' | 'NotStarted';
  reason: string;
  /** A reason of its own for some steps (e.g. the upstream step that keeps them from starting). */
  reasons?: Record<string, string>;
}

/** Steps skipSteps was asked to cancel that had been launched meanwhile and whose process had started. */
export interface SkipStepsResult {
  canceling: { step: string; attempt: number }[];
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
  /**
   * The run ends whatever its rows say (its orchestration failed); else a run ending otherwise than Completed is
   * checked for open steps first.
   */
  unconditional?: true;
}

/**
 * What finishRun answers: nothing when the run ended; the steps still open on its rows when it did not (the run
 * loop takes them in and carries on: runLoop.ts, `unfinished`).
 */
export interface FinishRunResult {
  open: { step: string; attempt: number; canceling: boolean }[];
}

/**
 * Stopping a step that was launched and has not ended: flagged for its worker; Canceling once its process started
 * (until the worker's result says the process tree is gone), Canceled at once while it waits in a queue.
 */
function stopStep(s: Readonly<StepRunRecord>, reason: string, now: () => string): Partial<StepRunRecord> {
  if (s.status === 'Running' || s.status === 'Canceling') {
    return { cancelRequested: true, status: 'Canceling', error: { code: 'Canceled', message: reason } };
  }
  return { cancelRequested: true, status: 'Canceled', endedAt: now(), error: { code: 'Canceled', message: reason } };
}

export function createRunActivities(deps: RunActivitiesDeps) {
  const { store, loadRun } = deps;
  const now = () => deps.now().toISOString();

  /**
   * Marks the run Running (its rows created if any is missing) and returns its graph, and what it read. With the
   * run's orchestration (`sweep`), the run gets a deadline sweep (flagged on its row, the message sent by the caller
   * alongside the launch: `sendSweep`).
   */
  async function start(runId: string, sweep = false) {
    const rowsRead = store.stepRuns.list(runId);
    rowsRead.catch(() => undefined); // awaited next
    const loaded = await loadRun(runId);
    const { run, plan } = loaded;
    const rows = await rowsRead;
    // The submit created the rows already; create only what is missing (one query instead of a failed insert
    // per step), so a run whose rows were lost still gets them.
    const existing = new Set(rows.map((s) => s.step));
    const missing = plan.order.filter((name) => !existing.has(name));
    await store.stepRuns.createMany(
      runId,
      missing.map((name) => ({
        step: name,
        type: plan.steps[name].type,
        compute: plan.steps[name].compute,
        dependsOn: plan.steps[name].dependsOn,
      })),
    );
    // The row loadRun just read is the ETag's base: no second read (a run changed meanwhile costs a retry).
    const started = await store.runs.update(
      runId,
      (r) =>
        r.status === 'NotStarted'
          ? { status: 'Running', startedAt: r.startedAt ?? now(), ...(sweep && { deadlineSweep: true }) }
          : undefined,
      run,
    );
    // finishRun's ETag: a run's row is rarely written between its start and its end (a cancel or a parent metric
    // does; then finishRun's write fails and it reads the row), so the end is usually one write, not a read and one.
    loadRun.remember(started);
    const steps = Object.fromEntries(plan.order.map((name) => [name, { dependsOn: plan.steps[name].dependsOn }]));
    const graph: RunGraph = { runId, continueOnStepFailure: run.continueOnStepFailure, order: plan.order, steps };
    // The rows as read, unless some were created just now (then launchSteps reads them all again).
    const known = missing.length === 0 ? { loaded: { run: started, plan }, stepRuns: rows } : undefined;
    return { graph, known, run: started, plan };
  }

  /**
   * Sends the run's deadline sweep, due when the first deadline any attempt launched from now on can have: the
   * shortest allowance of its steps. Sent on every start of a swept run still open, so a start repeated after a
   * crash sends it if the first did not (a second sweep is harmless: each checks the same rows, and both end with
   * the run).
   */
  async function sendSweep(runId: string, instanceId: string, plan: RunPlan): Promise<void> {
    const nowMs = deps.now().getTime();
    const dueAt = new Date(firstPossibleDeadline(plan, nowMs)).toISOString();
    const sweep: SweepMessage = { kind: 'sweep', runId, instanceId, dueAt };
    await deps.enqueue(QUEUES.stepResults, sweep, deadlineDelaySeconds(sweep, nowMs));
  }

  return {
    async startRun({ runId }: PipelineRunInput): Promise<RunGraph> {
      return (await start(runId)).graph;
    },

    /**
     * startRun and the run loop's first launch in one activity (the loop is a pure reducer, so the orchestration
     * derives the same first command from the graph and takes this answer for it). Safe to repeat as both are.
     */
    async startRunAndLaunch({ runId, instanceId }: { runId: string; instanceId: string }): Promise<StartedRun> {
      const { graph, known, run, plan } = await start(runId, true);
      // The sweep goes out with the launch: this activity's answer is recorded only once both are done, so a
      // host killed before either is done runs it again.
      const swept = run.deadlineSweep && !isTerminalRunStatus(run.status) ? sendSweep(runId, instanceId, plan) : null;
      swept?.catch(() => undefined); // awaited below
      const first = runLoop(initialRunLoopState(), { type: 'started', graph }).command;
      if (first.type !== 'launch') {
        await swept;
        return { graph };
      }
      const input = { runId, instanceId, steps: first.steps, retries: first.retries };
      const launched = await launchSteps(deps, input, known);
      await swept;
      return { graph, launched };
    },

    /** Reuse decisions and dispatch of attempts: shared/engine/dispatch.ts. */
    launchSteps(input: LaunchStepsInput): Promise<LaunchResult[]> {
      return launchSteps(deps, input);
    },

    async skipSteps(input: SkipStepsInput): Promise<SkipStepsResult> {
      // The run loop skips steps it has not launched; one found launched was launched by the step-results trigger
      // after its predecessor (launchNext.ts) before the loop heard of it. To cancel, it is stopped as cancelSteps
      // stops a step (flagged; Canceled while queued, Canceling once its process started, answered for so the loop
      // waits for its worker); a step never to start was never launched (the trigger launches only steps whose
      // inputs are all Completed), and a step that ended meanwhile keeps its end.
      const canceling: { step: string; attempt: number }[] = [];
      for (const step of input.steps) {
        const message = input.reasons?.[step] ?? input.reason;
        const row = await store.stepRuns.update(input.runId, step, (s) => {
          if (isTerminalStepStatus(s.status)) return undefined;
          if (s.status !== 'NotStarted') return input.status === 'Canceled' ? stopStep(s, message, now) : undefined;
          return {
            status: input.status,
            endedAt: input.status === 'Canceled' ? now() : undefined,
            error: { code: input.status === 'Canceled' ? 'Canceled' : 'NotRun', message },
          };
        });
        if (input.status === 'Canceled' && row.status === 'Canceling') canceling.push({ step, attempt: row.attempt });
      }
      return { canceling };
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
            stopping = s.status === 'Running' || s.status === 'Canceling';
            return isTerminalStepStatus(s.status) ? { cancelRequested: true } : stopStep(s, input.reason, now);
          });
          if (!stopping) return;
          canceling.push(step);
          const cancel = row.type === undefined ? undefined : findStepKind(row.type)?.cancel;
          await cancel?.({ runId: input.runId, step, attempt: row.attempt });
        }),
      );
      return { canceling: input.steps.filter((s) => canceling.includes(s)) };
    },

    async finishRun(input: FinishRunInput): Promise<FinishRunResult | undefined> {
      if (input.status !== 'Completed' && !input.unconditional) {
        // A step the step-results trigger launched need not have been told to the run yet (results.ts): a run
        // ending Failed or Canceled may not know of one still running, and must not end under it. (A run ending
        // Completed saw every step Completed, so none can be open.)
        const open = (await store.stepRuns.list(input.runId))
          .filter((r) => isActive(r.status))
          .map((r) => ({ step: r.step, attempt: r.attempt, canceling: r.status === 'Canceling' }));
        if (open.length > 0) return { open };
      }
      if (input.unconditional) {
        // The run ends whatever its rows say (its orchestration failed): what is not finished is stopped as a
        // cancel stops it, first, so nothing more starts in it — the step-results trigger learns of a run's end
        // from its step rows (results.ts), and a worker stops a step whose row asks it to.
        await requestCancelOfUnfinishedSteps(store, input.runId);
      }
      const ended = await store.runs.update(
        input.runId,
        (r) =>
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
        // A copy that is already ended needs no read either: a run's end is final.
        loadRun.known(input.runId)?.run,
      );
      loadRun.remember(ended);
      deps.settleSweep?.(input.runId);
      return undefined;
    },
  };
}

export type RunActivities = ReturnType<typeof createRunActivities>;
