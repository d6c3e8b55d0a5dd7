import {
  deadlineDelaySeconds,
  paths,
  type DeadlineMessage,
  type JobMessage,
  type SweepMessage,
} from '../compute/messages';
import { crashPoint } from '../crashPoint';
import { planWithProducerLocations } from '../reuse/inputs';
import { decideLaunches } from '../reuse/launch';
import { computeQueue, CONTAINERS, QUEUES } from '../store/names';
import { isTerminalStepStatus, type StepRunRecord, type Store, type Stored } from '../store';
import { stepRunId } from '../store/model';
import type { LaunchContext } from '../steps/kind';
import { cannotRun, stepKind } from '../steps/registry';
import type { LoadedRun, PlanLoader } from './loadPlan';
import { toJobMessage, type RunPlan } from './plan';
import type { PendingEnd } from './attempts';
import type { LaunchResult } from './runLoop';
import { stepWorkMessage, type StepWorkMessage } from './stepWork';

/**
 * Launching steps (the `launchSteps` activity): the reuse decision of each ready step (shared/reuse/launch.ts), then
 * for each step that runs and each retry, one attempt dispatched — its row `Queued`, its kind's launch (a job on
 * its compute queue for the kinds that run on workers); its deadline goes on the row (`dueAt`, checked by the run's
 * sweep, results.ts), or, for a run started before the sweep, in a deadline message behind it on `step-results`.
 */

export interface DispatchDeps {
  store: Store;
  loadRun: PlanLoader;
  /**
   * Puts a message on a Storage queue (JSON; the sender encodes it as the queue trigger expects), visible after
   * `delaySeconds` when given.
   */
  enqueue(
    queue: string,
    message: JobMessage | DeadlineMessage | SweepMessage | StepWorkMessage,
    delaySeconds?: number,
  ): Promise<void>;
  now(): Date;
}

export interface LaunchStepsInput {
  runId: string;
  /** The run's orchestration: where the steps' results are raised. */
  instanceId: string;
  /** Steps whose inputs now exist: reused, or dispatched as attempt 1. */
  steps: string[];
  /** Steps whose last attempt failed with attempts left: dispatched again with this attempt number. */
  retries?: { step: string; attempt: number }[];
}

/**
 * How long after dispatch a step attempt may stay silent before the run gives up on it. The worker enforces the
 * step's own timeout; this backstop covers a lost worker and a job that waited in the queue or was redelivered
 * after a worker crash (so it allows two full runs plus ten minutes).
 */
export function resultDeadlineSeconds(timeoutSeconds: number): number {
  return 2 * timeoutSeconds + 600;
}

/** The earliest deadline (ms) an attempt of `plan` launched at `nowMs` or later can have: the deadline sweep's. */
export function firstPossibleDeadline(plan: RunPlan, nowMs: number): number {
  const seconds = Math.min(...plan.order.map((name) => resultDeadlineSeconds(plan.steps[name].timeoutSeconds)));
  return nowMs + (Number.isFinite(seconds) ? seconds : 600) * 1000;
}

/** One attempt to dispatch; for a first attempt, its row as read and its reuse decision to record. */
interface AttemptToQueue {
  step: string;
  attempt: number;
  row?: Stored<StepRunRecord>;
  record?: Pick<StepRunRecord, 'reuseKey' | 'reuseReasons'>;
}

export async function launchSteps(
  deps: DispatchDeps,
  input: LaunchStepsInput,
  /**
   * The run and its step rows as the caller read them just now, not read again; `onlyNotStarted`: a step to launch
   * (not a retry) whose row is no longer NotStarted when it is written was launched by someone else meanwhile, and
   * is left out of the answer (launchNext.ts); `partial`: the rows are only those the steps need
   * (results.ts `rowsForLaunch`), and the reuse decisions read the others if they go further downstream.
   */
  known?: {
    loaded: LoadedRun;
    stepRuns: Stored<StepRunRecord>[];
    onlyNotStarted?: boolean;
    partial?: boolean;
    /**
     * The end of the attempt whose result launches these steps, not yet written (attempts.ts): written with the
     * successor's `Queued` row in one transaction when the launch dispatches exactly one first attempt, else alone
     * before the launch writes anything. Either write throws EndChanged when a row changed since it was read.
     */
    end?: PendingEnd;
  },
): Promise<LaunchResult[]> {
  const { store, loadRun } = deps;
  const end = known?.end;
  // The step rows are read alongside the run and its plan; each step that runs is then queued with one write
  // (its reuse decision included) on the row as read.
  const stepRuns = known
    ? Promise.resolve(known.stepRuns)
    : input.steps.length > 0
      ? store.stepRuns.list(input.runId)
      : undefined;
  stepRuns?.catch(() => undefined); // awaited in decideLaunches
  const loaded = known?.loaded ?? (await loadRun(input.runId));
  // Reuse first (shared/reuse/launch.ts): a reused step completes here without a job; the others run.
  const decided =
    input.steps.length > 0
      ? await decideLaunches(deps, loaded, input.steps, stepRuns, {
          deferRunWrites: true,
          partialRows: known?.partial,
          beforeWrite: end && (() => end.commit()),
        })
      : [];
  const attempts: AttemptToQueue[] = [
    ...decided.flatMap((d) =>
      d.outcome === 'run' ? [{ step: d.step, attempt: 1, row: d.row, record: d.record }] : [],
    ),
    ...(input.retries ?? []),
  ];
  // Rows that were Completed when read stay so: their outputs bind the consumers' inputs without another read.
  const rows = new Map(((await stepRuns) ?? []).map((r) => [r.step, r]));
  const joint = end && attempts.length === 1 && attempts[0].row ? end : undefined;
  if (end && !joint) await end.commit();
  const dispatched = await Promise.all(
    attempts.map((a) =>
      dispatch(deps, loaded, input.instanceId, a, rows, !!known?.onlyNotStarted && 'record' in a, joint),
    ),
  );
  return [
    ...decided.filter((d) => d.outcome === 'reused').map(({ step }) => ({ step, outcome: 'reused' as const })),
    ...dispatched.filter((d) => d !== undefined),
  ];
}

/**
 * Dispatches one attempt of a step: its row `Queued` with its deadline, then its kind's launch.
 * Safe to repeat: a repeat launches the same attempt again while it is still Queued (its first job may not have been
 * sent; workers skip a job whose attempt is already running or finished), sends no job for an attempt a worker has
 * started, and leaves an attempt that ended, or is older than the row's, alone.
 */
async function dispatch(
  deps: DispatchDeps,
  loaded: LoadedRun,
  instanceId: string,
  a: AttemptToQueue,
  rows: ReadonlyMap<string, Stored<StepRunRecord>>,
  onlyNotStarted = false,
  /** A step result's end, written with this attempt's `Queued` row when there is one to write (launchSteps). */
  end?: PendingEnd,
): Promise<LaunchResult | undefined> {
  const { run, plan } = loaded;
  const { step: name, attempt } = a;
  const step = plan.steps[name];
  const now = () => deps.now().toISOString();
  /** Why the attempt is canceled instead of queued, if it is. */
  // A type that cannot run is refused at submit; a run accepted before that rule still gets a reason.
  let canceled = cannotRun(step.type) ?? (run.cancelRequested ? 'the run was canceled' : undefined);
  let stale = false;
  let taken = false;
  let started = false;
  let queued = false;
  const nowMs = deps.now().getTime();
  const seconds = resultDeadlineSeconds(step.timeoutSeconds);
  const dueAt = new Date(nowMs + seconds * 1000).toISOString();
  // A run with a deadline sweep keeps the attempt's deadline on its row (one sweep message per run checks them);
  // a run started before that gets a deadline message per attempt.
  const swept = run.deadlineSweep === true;
  const mutate = (s: StepRunRecord): Partial<StepRunRecord> | undefined => {
    stale = started = queued = false;
    taken = onlyNotStarted && s.status !== 'NotStarted';
    if (taken) return undefined;
    if (isTerminalStepStatus(s.status) || s.attempt > attempt) {
      stale = true;
      return undefined;
    }
    if (s.status === 'Running' && s.attempt === attempt) {
      // Launched before (by the step-results trigger, or by this launch before a crash) and a worker has it:
      // its job was sent and taken, so none is sent again — a second job would run the step twice.
      started = true;
      return undefined;
    }
    if (s.cancelRequested) canceled ??= 'the step was canceled';
    if (canceled) {
      return { status: 'Canceled', endedAt: now(), error: { code: 'Canceled', message: canceled } };
    }
    queued = true;
    return {
      ...a.record,
      status: 'Queued',
      attempt,
      maxAttempts: step.retries + 1,
      // The deadline counts from this very moment.
      queuedAt: new Date(nowMs).toISOString(),
      ...(swept && { dueAt }),
      error: undefined,
      log: { container: CONTAINERS.logs, path: paths.log(run.id, name, attempt) },
    };
  };
  const written = await writeQueued(deps.store, run.id, name, mutate, a.row, end, () => queued);
  if (taken) return undefined;
  if (canceled) return { step: name, outcome: 'canceled', message: canceled };
  // An attempt that ended already is answered as queued: its result reaches the run as a step event (the run loop
  // keeps one that arrived before it knew the step, runLoop.ts `early`).
  if (stale) return { step: name, outcome: 'queued', attempt };
  const deadline: DeadlineMessage = {
    kind: 'deadline',
    runId: run.id,
    step: name,
    attempt,
    instanceId,
    dueAt,
    seconds,
  };
  const sendDeadline = async () => {
    if (!swept) await deps.enqueue(QUEUES.stepResults, deadline, deadlineDelaySeconds(deadline, nowMs));
  };
  if (started) {
    // The first launch may have died between the job and its deadline; a second deadline is harmless (the
    // attempt's end is recorded once). A swept run's deadline is on the row already.
    await sendDeadline();
    return { step: name, outcome: 'queued', attempt };
  }
  crashPoint(onlyNotStarted ? 'step-results:queued' : 'launch:queued');
  const rebound = await planWithProducerLocations(deps.store, plan, name, rows);
  const job = { stepRunId: stepRunId(run.id, name), attempt, instanceId, experiment: run.experiment };
  // What the worker writes `Running` on without reading the row first (JobMessage.queuedEtag).
  const queuedEtag = queued && written.etag ? { queuedEtag: written.etag } : {};
  const kind = stepKind(step.type);
  const launch = kind.launch ?? ((ctx: LaunchContext) => ctx.startWork());
  await Promise.all([
    launch({
      plan: rebound,
      step: rebound.steps[name],
      job,
      jobMessage: () => toJobMessage(rebound, name, { ...job, ...queuedEtag }),
      queueJob: (message) => deps.enqueue(computeQueue(message.compute), message),
      startWork: () =>
        deps.enqueue(
          QUEUES.stepWork,
          stepWorkMessage({
            ...job,
            runId: run.id,
            step: name,
            type: step.type,
            ...(step.compute && { compute: step.compute }),
            timeoutSeconds: step.timeoutSeconds,
            log: { container: CONTAINERS.logs, path: paths.log(run.id, name, attempt) },
          }),
        ),
    }),
    sendDeadline(),
  ]);
  return { step: name, outcome: 'queued', attempt };
}

/**
 * The attempt's row written by `mutate` on the row as read (`known`; a stale copy is read again). With a step
 * result's `end` still to write and a `Queued` row to write (`isQueued` after the mutation ran), both go in one
 * transaction: the end is never written without the launch it made, nor the launch without the end. Otherwise the end
 * is written alone first.
 */
async function writeQueued(
  store: Store,
  runId: string,
  step: string,
  mutate: (s: StepRunRecord) => Partial<StepRunRecord> | undefined,
  known: Stored<StepRunRecord> | undefined,
  end: PendingEnd | undefined,
  isQueued: () => boolean,
): Promise<Stored<StepRunRecord>> {
  if (end && known && !end.done) {
    const patch = mutate(known);
    if (patch && isQueued()) return end.writeWith({ step, patch, known });
    await end.commit();
  }
  return store.stepRuns.update(runId, step, mutate, known);
}
