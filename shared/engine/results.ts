import { fullResult } from '../compute/fullResult';
import { crashPoint } from '../crashPoint';
import { DeadlineMessage, deadlineDelaySeconds, paths, ResultMessage, SweepMessage } from '../compute/messages';
import { NotFoundError } from '../errors';
import { isTerminalRunStatus } from '../store/model';
import { recordReusableResult } from '../reuse/cacheResult';
import type { Store } from '../store';
import { CONTAINERS, QUEUES } from '../store/names';
import {
  attemptEndOf,
  EndChanged,
  planAttemptEnd,
  recordAttempt,
  recordAttemptEnd,
  rollUpRunMetrics,
  type PendingEnd,
  type RecordedAttempt,
} from './attempts';
import { firstPossibleDeadline, resultDeadlineSeconds, type DispatchDeps } from './dispatch';
import type { PlanLoader } from './loadPlan';
import { launchSuccessors } from './launchNext';
import type { StepRunRecord, StepStanding, Stored } from '../store';
import type { RunPlan } from './plan';
import type { LaunchResult, RunEvent, SeenStep } from './runLoop';
import { isActive } from './status';

/**
 * What arrives on `step-results` (the `stepResults` queue trigger is its adapter): a worker's result, recorded
 * (outputs, metrics, and the step's status when the attempt is final, attempts.ts) and then told to the run's
 * orchestration as a `run-event`; or the run's deadline sweep (put there by its start, activities.ts), which fails
 * each open attempt past the deadline its launch wrote on its row; or, for a run started before the sweep, an
 * attempt's own deadline message (put there by its launch, dispatch.ts, visible once the deadline passed), which
 * fails the attempt if it still has no result. A malformed message is logged and dropped (retrying cannot fix it).
 */

export interface StepResultDeps extends Pick<DispatchDeps, 'enqueue'> {
  store: Store;
  loadRun: PlanLoader;
  /** Raises the run's `run-event` on its orchestration (an instance that ended is ignored). */
  tell(instanceId: string, event: RunEvent): Promise<void>;
  now(): Date;
  log(message: string): void;
  error(message: string): void;
  /**
   * Launch a completed step's ready successors here, before the run is told (launchNext.ts); the stepResults
   * trigger sets it. A host killed between that launch and the event is safe: the redelivered result tells the run
   * without naming the successor, the run launches it itself (launchSteps sends no second job for an attempt a
   * worker started) and takes the successor's result even when it arrived first (runLoop.ts, `early`).
   */
  launchSuccessors?: boolean;
  /** The attempt's end is recorded: its deadline message may go (best effort, off the path; enqueue.ts). */
  settleDeadline?(runId: string, step: string, attempt: number): void;
}

export async function handleStepResult(deps: StepResultDeps, message: unknown): Promise<void> {
  const { store, now } = deps;
  const sweep = SweepMessage.safeParse(message);
  if (sweep.success) return sweepDeadlines(deps, sweep.data);
  const deadline = DeadlineMessage.safeParse(message);
  if (deadline.success) {
    const d = deadline.data;
    const delay = deadlineDelaySeconds(d, now().getTime());
    if (delay > 1) {
      // Beyond what one queue delay can cover: wait another hop.
      await deps.enqueue(QUEUES.stepResults, d, delay);
      return;
    }
    const text = noResultWithin(d.seconds);
    // The run's rows go with the event (`seen`): it may not know yet of steps the trigger launched, this one
    // included (launchNext.ts). Read alongside the write; the step itself is named as launched on its attempt.
    const reading = store.stepRuns.listStatuses(d.runId);
    reading.catch(() => undefined); // awaited below
    const recorded = await recordAttemptEnd(
      store,
      { runId: d.runId, step: d.step, attempt: d.attempt, status: 'Failed', message: text },
      now,
    );
    // An attempt that ended before its deadline (`repeat`) was told by its own result.
    if (!recorded || recorded.repeat) return;
    const seen = seenSteps(await reading, d.step, d.attempt);
    await deps.tell(d.instanceId, runEvent(d.step, d.attempt, recorded, [], seen));
    return;
  }
  const parsed = ResultMessage.safeParse(message);
  if (!parsed.success) {
    deps.error(`Dropped a malformed step result: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    return;
  }
  // The step rows are read while the full result is fetched: the step's own row for the ETag of its write, the
  // others for what its completion makes ready (launchNext.ts). When this process holds the run's plan (it launched
  // the step, as under `npm start`), only the rows that decide the launch are read (`near`): a step's cost then does
  // not grow with its pipeline's length; and the run's row is read alongside only if this process has not seen the
  // run Running — what the trigger takes from it never changes once the run started, and a cancel or an end that
  // stops the launch shows on the step rows (a cancel and a failed orchestration mark every unfinished row; a failed
  // step is a `Failed` row).
  const { runId, step } = parsed.data;
  const plan = deps.launchSuccessors ? deps.loadRun.cachedPlan(runId) : undefined;
  const near = plan?.steps[step] ? rowsForLaunch(plan, step) : undefined;
  const known = near ? deps.loadRun.known(runId) : undefined;
  const running = known?.run.status === 'Running' && !known.run.cancelRequested ? known : undefined;
  const reading = Promise.all([
    near ? store.stepRuns.listSome(runId, near, STOPPING) : store.stepRuns.list(runId),
    running ?? deps.loadRun(runId),
  ]);
  reading.catch(() => undefined); // awaited next
  // The log's tail the worker left to the host goes in alongside: the log is whole before the step's end is written.
  const tail = parsed.data.logTail;
  const appending = tail
    ? store.logs.appendAt(
        { container: CONTAINERS.logs, path: paths.log(runId, step, parsed.data.attempt) },
        tail.offset,
        Buffer.from(tail.data, 'base64'),
        tail.whole,
      )
    : undefined;
  appending?.catch(() => undefined); // awaited next
  const result = await fullResult(store.logs, parsed.data);
  const [rows, loaded] = await reading;
  await appending;
  const own = rows.find((r) => r.step === result.step);
  // What the step's completion makes ready, launched on the rows read with the step's own as it is (to be) written.
  const launch = (row: Stored<StepRunRecord>, more: { again?: boolean; end?: PendingEnd }) =>
    launchSuccessors(
      deps,
      { runId, instanceId: result.instanceId, step, again: more.again },
      { loaded, stepRuns: rows.map((r) => (r.step === step ? row : r)), partial: near !== undefined, end: more.end },
    );
  let told: RecordedAttempt | undefined;
  let launched: LaunchResult[] = [];
  // A completed attempt's end is written with its successor's launch: one write (an entity-group transaction) for
  // the step's end and the successor's `Queued` row, so neither is ever stored without the other (dispatch.ts). A
  // step that launches nothing, or more than one step, writes its end alone first. Should either row have changed
  // since it was read, nothing is written and the result is recorded as below, one write after the other.
  const pending =
    deps.launchSuccessors && result.status === 'Completed' && own
      ? await planAttemptEnd(store, attemptEndOf(result), now, own, loaded.run)
      : undefined;
  if (pending?.recorded.final && pending.recorded.status === 'Completed') {
    try {
      launched = await launch(pending.projected, { end: pending });
      await pending.commit();
      told = pending.result();
    } catch (err) {
      if (!(err instanceof EndChanged)) throw err;
      launched = [];
    }
  }
  if (!told) {
    told = await recordAttempt(store, result, now, own, loaded.run);
    if (!told) {
      deps.log(`Ignored a stale result for ${result.stepRunId} attempt ${result.attempt}.`);
      return;
    }
    crashPoint('step-results:recorded');
    // A repeat (a redelivery) launches nothing new: what the first delivery launched is no longer NotStarted. It
    // dispatches again a successor left Queued without a worker, whose job that delivery may not have sent
    // (launchNext.ts, `again`); the run loop launches whatever is still NotStarted.
    launched =
      deps.launchSuccessors && told.final && told.status === 'Completed'
        ? await launch(told.row, { again: told.repeat })
        : [];
  }
  const recorded = told;
  const completed = recorded.final && recorded.status === 'Completed';
  if (launched.length > 0) crashPoint('step-results:launched');
  // What nobody waits for starts only now, not to queue ahead of the launch's requests at the storage service: the
  // attempt's deadline message goes, and a step that completed by running becomes reusable
  // (shared/reuse/cacheResult.ts; an upsert, so a repeat is harmless). The message is deleted once all is done.
  deps.settleDeadline?.(result.runId, result.step, result.attempt);
  // A completed step whose successors are all queued here need not be told: each of them ends later with a result
  // of its own, and the first that launches nothing tells the run, with the rows it read (`seen`), which show this
  // step Completed (it was written before they were launched). So a chain's run hears once, at its end, instead of
  // once per step: one control message, one episode and one history commit per step fewer (issue 19). Anything
  // else is told at once: a failure, a retry, a cancel, a step that launched nothing or not only queued jobs
  // (a reused successor has no result to come).
  const goesOn = launched.length > 0 && launched.every((l) => l.outcome === 'queued');
  const reusable = async () => {
    if (!completed) return;
    // While the run goes on, its latest-run mark may wait for its successors' (one write for a chain's marks); the
    // step that tells the run writes its own at once, and the waiting ones with it.
    await recordReusableResult(store, loaded.plan.pipeline, recorded.row, now, { latestMayWait: goesOn });
  };
  const tell = async () => {
    if (goesOn) return;
    // The run hears of every step it may not know yet: with only the rows near the step in hand, all are read now.
    const seen = seenSteps(near ? await store.stepRuns.listStatuses(runId) : rows, result.step, result.attempt);
    await deps.tell(result.instanceId, runEvent(result.step, result.attempt, recorded, launched, seen));
  };
  // The run's share of the result (metrics, tags) is written after the launch, and before the run is told: a run
  // that hears of its last step's end and completes already holds that step's metrics.
  const rollUpThenTell = async () => {
    const rolledUp = await rollUpRunMetrics(store, result, recorded, loaded.run);
    if (rolledUp) deps.loadRun.remember(rolledUp);
    await tell();
  };
  await Promise.all([reusable(), rollUpThenTell()]);
  crashPoint('step-results:told');
}

/** A row in one of these stops the trigger's launch (launchNext.ts), wherever it is in the run: always read. */
const STOPPING = ['Failed', 'Canceled', 'Canceling'] as const;

/**
 * The rows a result of `step` needs read to launch what it makes ready (launchNext.ts, dispatch.ts): its own, its
 * successors', and those of every step they wait for or take inputs from.
 */
export function rowsForLaunch(plan: RunPlan, step: string): string[] {
  const near = new Set([step]);
  for (const name of plan.order) {
    const s = plan.steps[name];
    if (!s.dependsOn.includes(step)) continue;
    near.add(name);
    for (const d of s.dependsOn) near.add(d);
    for (const i of s.inputs) if (i.producer !== undefined) near.add(i.producer);
  }
  return [...near];
}

/**
 * A run's deadline sweep (compute/messages.ts `SweepMessage`): each open attempt past its deadline is failed as a
 * deadline message fails one — recorded, and told to the run with the rows read — and the sweep goes back to the
 * queue, due at the next deadline of an open attempt, or at the earliest one an attempt launched from now on can
 * have. A sweep of a run that has ended, or is gone, is dropped.
 */
async function sweepDeadlines(deps: StepResultDeps, sweep: SweepMessage): Promise<void> {
  const { store, now } = deps;
  const nowMs = now().getTime();
  const delay = deadlineDelaySeconds(sweep, nowMs);
  if (delay > 1) {
    // Beyond what one queue delay can cover: wait another hop.
    await deps.enqueue(QUEUES.stepResults, sweep, delay);
    return;
  }
  const reading = store.stepRuns.list(sweep.runId);
  reading.catch(() => undefined); // awaited below
  let loaded;
  try {
    loaded = await deps.loadRun(sweep.runId);
  } catch (err) {
    if (err instanceof NotFoundError) return; // the run (or its pipeline) is gone: nothing to watch
    throw err;
  }
  const { run, plan } = loaded;
  if (isTerminalRunStatus(run.status)) return;
  const rows = await reading;
  const dueOf = (r: StepRunRecord) => attemptDeadline(r, plan, nowMs);
  const open = rows.filter((r) => isActive(r.status) && plan.steps[r.step] !== undefined);
  const due = open.filter((r) => dueOf(r) <= nowMs);
  for (const row of due) {
    const seconds = resultDeadlineSeconds(plan.steps[row.step].timeoutSeconds);
    const recorded = await recordAttemptEnd(
      store,
      { runId: row.runId, step: row.step, attempt: row.attempt, status: 'Failed', message: noResultWithin(seconds) },
      now,
      row,
    );
    // An attempt that ended meanwhile was told by its own result.
    if (!recorded || recorded.repeat) continue;
    await deps.tell(
      sweep.instanceId,
      runEvent(row.step, row.attempt, recorded, [], seenSteps(rows, row.step, row.attempt)),
    );
  }
  const next = Math.min(...open.filter((r) => !due.includes(r)).map(dueOf), firstPossibleDeadline(plan, nowMs));
  const again: SweepMessage = { ...sweep, dueAt: new Date(next).toISOString() };
  await deps.enqueue(QUEUES.stepResults, again, deadlineDelaySeconds(again, nowMs));
}

/**
 * When an open attempt counts as lost (ms): its row's `dueAt`, else its launch (or, lacking that, `nowMs`) plus the
 * step's allowance.
 */
function attemptDeadline(row: StepRunRecord, plan: RunPlan, nowMs: number): number {
  const written = row.dueAt ? Date.parse(row.dueAt) : NaN;
  if (Number.isFinite(written)) return written;
  const queued = row.queuedAt ? Date.parse(row.queuedAt) : NaN;
  const seconds = resultDeadlineSeconds(plan.steps[row.step].timeoutSeconds);
  return (Number.isFinite(queued) ? queued : nowMs) + seconds * 1000;
}

/** The failure of an attempt that had no result within its allowance. */
const noResultWithin = (seconds: number) =>
  `no result within ${seconds} s of dispatch; ` + "is a worker running for this step's compute target?";

function runEvent(
  step: string,
  attempt: number,
  r: RecordedAttempt,
  launched: LaunchResult[],
  seen: SeenStep[],
): RunEvent {
  return {
    type: 'step',
    step,
    attempt,
    status: r.status,
    final: r.final,
    message: r.message,
    ...(launched.length > 0 && { launched }),
    seen,
  };
}

/**
 * The run's rows as a run event carries them (runLoop.ts `SeenStep`): steps launched (open, or Completed) on their
 * attempt; the told step itself as launched on the told attempt, whatever its row said when it was read (the event
 * says how it ended).
 */
export function seenSteps(rows: readonly StepStanding[], step: string, attempt: number): SeenStep[] {
  const seen: SeenStep[] = [{ step, status: 'open', attempt }];
  for (const r of rows) {
    if (r.step === step) continue;
    if (r.status === 'Completed') {
      seen.push({ step: r.step, status: 'Completed', attempt: r.attempt, ...(r.reused && { reused: true as const }) });
    } else if (isActive(r.status)) {
      seen.push({ step: r.step, status: 'open', attempt: r.attempt });
    }
  }
  return seen;
}
