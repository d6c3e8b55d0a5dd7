import type { StepGraph } from './dag';
import { blockingStep, endingOf, readySteps, runStatus, settleBlockedSteps } from './progress';
import type { StepStatus } from './status';

/**
 * A pipeline run's loop as a pure reducer: `runLoop(state, event) → { state, command }`. The orchestrator
 * (`orchestrators/pipelineRun.ts`) only carries each command out — an activity, or a wait for the next run event —
 * and feeds what it returns back in as the next event; every rule of the run lives here.
 *
 * The loop, read top-down: settle steps that can no longer run (skip commands), launch every step whose inputs exist
 * together with the retries of failed attempts (one launch command), and when nothing is left to launch, wait for a
 * step attempt to end or a cancel request; when no step is open any more, finish the run.
 *
 * Exactly one command is outstanding at a time, and each command is answered by exactly one event:
 * `skip` → `skipped`, `launch` → `launched`, `cancel` → `canceling-settled`, `wait` → `step` or `cancel`; `finish`
 * ends the loop. The order of commands is the order of the orchestration's activities, so it must not change
 * between versions while runs are in flight (they replay it).
 *
 * The loop knows a launched step as `Queued` until its attempt ends: when a worker starts the process is recorded by
 * the worker on the step's record, not told to the run, so `Running` never appears in this state.
 */

/** The part of a run's plan the loop needs: its step graph and the run's options. */
export interface RunGraph extends StepGraph {
  runId: string;
  continueOnStepFailure: boolean;
}

/**
 * Per launched step: reused (completed at once, no job), queued (its job is on the compute queue), or canceled
 * before it could be queued (the run was canceled, or the step's type cannot run here).
 */
export type LaunchResult =
  | { step: string; outcome: 'reused' }
  | { step: string; outcome: 'queued'; attempt: number }
  | { step: string; outcome: 'canceled'; message: string };

/**
 * A step attempt ended (`final`: no further attempt follows, the status is the step's), or a cancel request. Step
 * events are raised by the `step-results` trigger once the attempt is recorded.
 */
export type RunEvent =
  | {
      type: 'step';
      step: string;
      attempt: number;
      status: 'Completed' | 'Failed' | 'Canceled';
      final: boolean;
      message?: string;
      /**
       * Successors the trigger launched itself after recording this attempt (shared/engine/launchNext.ts), so the
       * run need not launch them: each is taken as launched unless the loop knows the step already. Absent from
       * events raised before the trigger launched anything.
       */
      launched?: LaunchResult[];
      /**
       * The run's step rows as the teller read them (`seenSteps`, results.ts): which steps were launched and on
       * which attempt, and which had completed. The trigger tells the run of a completed step only when it could not
       * launch all of its successors itself (launchNext.ts), so a step's end and its successors' launch can reach
       * the run only through a later event's rows. Absent from events raised before that.
       */
      seen?: SeenStep[];
    }
  | { type: 'cancel'; reason?: string };

/**
 * A step row as a teller saw it: launched on `attempt` (`open`: queued, running or being canceled) or `Completed`
 * on it (`reused`: completed without an attempt of its own). Rows of steps not launched, and steps that ended
 * otherwise (a failure or a cancel is always told by its own event), are left out.
 */
export interface SeenStep {
  step: string;
  status: 'open' | 'Completed';
  attempt: number;
  reused?: true;
}

export type RunLoopEvent =
  | { type: 'started'; graph: RunGraph }
  /**
   * What skipSteps answered: steps it was asked to cancel that a trigger had launched meanwhile and whose process
   * had started, left Canceling on that attempt (absent from an older activity: none).
   */
  | { type: 'skipped'; canceling?: { step: string; attempt: number }[] }
  | { type: 'launched'; results: LaunchResult[] }
  /** What cancelSteps answered: the steps whose process had started (absent from an older activity: none). */
  | { type: 'canceling-settled'; canceling?: string[] }
  /**
   * What finishRun answered when it found steps still open on the run's rows (only a run ending Failed or Canceled
   * is checked): launched by the trigger and not told yet. The run does not end with them running: they are taken
   * as launched, canceled if the run is being canceled, and waited for.
   */
  | { type: 'unfinished'; open: { step: string; attempt: number; canceling: boolean }[] }
  | RunEvent;

export type RunLoopCommand =
  | {
      type: 'skip';
      steps: string[];
      status: 'Canceled' | 'NotStarted';
      reason: string;
      /** A reason of its own for some steps (the upstream step that keeps them from starting). */
      reasons?: Record<string, string>;
    }
  | { type: 'launch'; steps: string[]; retries: { step: string; attempt: number }[] }
  | { type: 'cancel'; steps: string[]; reason: string }
  | { type: 'wait' }
  | { type: 'finish'; status: 'Completed' | 'Failed' | 'Canceled'; message?: string };

export interface RunLoopState {
  /** Absent until the `started` event. */
  graph?: RunGraph;
  /** Steps the loop has seen start or end; a missing step has not started. */
  statuses: Record<string, StepStatus>;
  /** The attempt each open step is on; events for any other attempt are stale. */
  attempts: Record<string, number>;
  cancelRequested: boolean;
  cancelReason?: string;
  /** The first step failure, as the run's error. */
  failure?: string;
  /** Why the run stopped without a failure or a cancel request: a step that was canceled on its own. */
  stopped?: string;
  /** How each step that ended badly ended (`failed: …`, `was canceled: …`), for the steps it keeps from starting. */
  endings: Record<string, string>;
  /** Attempts to dispatch with the next launch. */
  retries: { step: string; attempt: number }[];
  /** A step ended badly or a cancel arrived: only then can a step become blocked. */
  settle: boolean;
  /** A step ended or was reused since the last launch: only then can a step become ready. */
  changed: boolean;
  /** NotStarted steps already recorded as never starting. */
  blocked: string[];
  /** NotStarted steps found never starting by the settlement in progress, recorded after its cancel skip. */
  pendingNeverStart?: string[];
  /** The steps of the launch in progress (answered by `launched`). */
  launching?: string[];
  /** The steps of the cancel in progress (answered by `canceling-settled`). */
  canceling?: string[];
  /**
   * Step events that arrived before the loop knew their step as launched, by step: the trigger may launch a
   * successor (launchNext.ts) and that successor's result may reach the run before the event naming it — always
   * after a host crash between the launch and the event (the redelivery cannot name it), and sometimes without one,
   * when the successor is fast. Each is applied when its step is taken as launched on that attempt. Absent until
   * one arrives.
   */
  early?: Record<string, Extract<RunEvent, { type: 'step' }>[]>;
  /** The event that answers the outstanding command; any other is refused. */
  awaiting?: 'skipped' | 'launched' | 'canceling-settled' | 'run-event' | 'finished';
  /** Set once the finish command is issued. */
  finished: boolean;
}

export const initialRunLoopState = (): RunLoopState => ({
  statuses: {},
  attempts: {},
  cancelRequested: false,
  endings: {},
  retries: [],
  settle: false,
  changed: true,
  blocked: [],
  finished: false,
});

export interface RunLoopStep {
  state: RunLoopState;
  command: RunLoopCommand;
}

/** A step the loop is waiting on: launched and not ended, or asked to stop and not yet stopped. */
const isOpen = (status: StepStatus | undefined) => status === 'Queued' || status === 'Canceling';

export class RunLoopError extends Error {}

const ANSWER = {
  skip: 'skipped',
  launch: 'launched',
  cancel: 'canceling-settled',
  wait: 'run-event',
  // finishRun's answer, when it is not the end (`unfinished`).
  finish: 'finished',
} as const;

export function runLoop(previous: RunLoopState, event: RunLoopEvent): RunLoopStep {
  const step = reduce(previous, event);
  step.state.awaiting = ANSWER[step.command.type];
  return step;
}

function reduce(previous: RunLoopState, event: RunLoopEvent): RunLoopStep {
  if (previous.finished && event.type !== 'unfinished') {
    throw new RunLoopError(`the run loop has finished; it got a ${event.type} event`);
  }
  const state = clone(previous);
  if (event.type === 'started') {
    if (state.graph) throw new RunLoopError('the run loop was started twice');
    state.graph = event.graph;
    return next(state);
  }
  if (!state.graph) throw new RunLoopError(`the run loop got a ${event.type} event before it started`);
  const answers =
    event.type === 'step' || event.type === 'cancel'
      ? 'run-event'
      : event.type === 'unfinished'
        ? 'finished'
        : event.type;
  if (answers !== state.awaiting) {
    throw new RunLoopError(`the run loop got a ${event.type} event while it waits for ${state.awaiting}`);
  }
  switch (event.type) {
    case 'skipped':
      for (const { step, attempt } of event.canceling ?? []) {
        state.statuses[step] = 'Canceling';
        state.attempts[step] = attempt;
        applyEarly(state, step);
      }
      return next(state);
    case 'launched': {
      for (const result of event.results) launched(state, result);
      // A step the launch did not answer for would stay NotStarted (or on an attempt never dispatched) with nothing
      // to end it: a broken answer, refused rather than finished as if the step could not run.
      const answered = new Set(event.results.map((r) => r.step));
      const missing = (state.launching ?? []).filter((step) => !answered.has(step));
      state.launching = undefined;
      if (missing.length > 0) throw new RunLoopError(`launchSteps did not answer for step(s) ${missing.join(', ')}`);
      return next(state);
    }
    case 'canceling-settled': {
      const canceling = new Set(event.canceling ?? []);
      for (const step of state.canceling ?? []) state.statuses[step] = canceling.has(step) ? 'Canceling' : 'Canceled';
      state.canceling = undefined;
      state.settle = true;
      return next(state);
    }
    case 'cancel': {
      if (state.cancelRequested) return next(state); // a second cancel changes nothing
      state.cancelRequested = true;
      state.cancelReason = event.reason ?? 'the run was canceled';
      state.canceling = openSteps(state);
      // Steps whose process started stay Canceling until their worker's result says the process tree is gone.
      return { state, command: { type: 'cancel', steps: state.canceling, reason: state.cancelReason } };
    }
    case 'unfinished': {
      state.finished = false;
      const found: string[] = [];
      for (const { step, attempt, canceling } of event.open) {
        if (!Object.hasOwn(state.graph.steps, step)) continue;
        state.blocked = state.blocked.filter((s) => s !== step);
        state.statuses[step] = canceling ? 'Canceling' : 'Queued';
        state.attempts[step] = attempt;
        if (!canceling) found.push(step);
        applyEarly(state, step);
      }
      // A cancel already went out to the steps the loop knew; these it did not know of.
      const toCancel = state.cancelRequested ? found.filter((step) => state.statuses[step] === 'Queued') : [];
      if (toCancel.length > 0) {
        state.canceling = toCancel;
        return { state, command: { type: 'cancel', steps: toCancel, reason: state.cancelReason! } };
      }
      return next(state);
    }
    case 'step':
      applySeen(state, event.seen);
      stepEnded(state, event);
      // Launched by the trigger: open now, whether or not this event was stale. A step the loop already knows was
      // launched by the loop itself, or settled by a skip that found it launched (skipSteps answers for those).
      for (const result of event.launched ?? []) {
        if (!Object.hasOwn(state.statuses, result.step)) launched(state, result);
      }
      return next(state);
  }
}

function launched(state: RunLoopState, result: LaunchResult): void {
  if (result.outcome === 'queued') {
    state.statuses[result.step] = 'Queued';
    state.attempts[result.step] = result.attempt;
    applyEarly(state, result.step);
    return;
  }
  state.changed = true;
  if (result.outcome === 'reused') {
    state.statuses[result.step] = 'Completed';
    return;
  }
  state.statuses[result.step] = 'Canceled';
  state.settle = true;
  state.endings[result.step] = endingOf('Canceled', result.message);
  if (!state.cancelRequested) state.stopped ??= `step ${result.step} ${state.endings[result.step]}`;
}

/**
 * Takes in what a teller saw on the run's rows: steps launched that the loop does not know (a trigger launched them
 * and told nobody, or its event is still on the way) as launched on the attempt seen, and steps seen Completed on
 * the attempt the loop waits for as ended. What the loop knows better already (a step it settled, another attempt)
 * wins: rows read earlier than the loop's last news change nothing.
 */
function applySeen(state: RunLoopState, seen: SeenStep[] = []): void {
  for (const row of seen) {
    const { step } = row;
    if (!Object.hasOwn(state.graph!.steps, step) || state.blocked.includes(step)) continue;
    if (!Object.hasOwn(state.statuses, step)) {
      launched(state, row.reused ? { step, outcome: 'reused' } : { step, outcome: 'queued', attempt: row.attempt });
    }
    if (row.status === 'Completed' && !row.reused) {
      stepEnded(state, { type: 'step', step, attempt: row.attempt, status: 'Completed', final: true });
    }
  }
}

/** Applies the events kept for a step the loop now knows as launched, in the order they arrived. */
function applyEarly(state: RunLoopState, step: string): void {
  const kept = state.early?.[step];
  if (!kept) return;
  const early = { ...state.early };
  delete early[step];
  state.early = early;
  for (const event of kept) stepEnded(state, event);
}

function stepEnded(state: RunLoopState, event: Extract<RunEvent, { type: 'step' }>): void {
  const { step } = event;
  const current = Object.hasOwn(state.statuses, step) ? state.statuses[step] : undefined;
  if (current === undefined && Object.hasOwn(state.graph!.steps, step) && !state.blocked.includes(step)) {
    // Not launched as far as the loop knows: kept until it is (see `early`).
    state.early = { ...state.early, [step]: [...(state.early?.[step] ?? []), event] };
    return;
  }
  // Stale: the step is not open (never launched, already ended, a duplicate) or the event is for another attempt.
  if (!isOpen(current) || state.attempts[step] !== event.attempt) return;
  if (!event.final) {
    // A failed attempt with attempts left: the step stays open and is dispatched again with the next launch
    // (unless the run is canceled, in which case the cancel settles it like any other open step).
    if (state.cancelRequested) return;
    state.retries.push({ step, attempt: event.attempt + 1 });
    state.attempts[step] = event.attempt + 1;
    return;
  }
  state.statuses[step] = event.status;
  state.changed = true;
  if (event.status !== 'Completed') {
    state.settle = true;
    state.endings[step] = endingOf(event.status, event.message);
  }
  if (event.status === 'Failed') state.failure ??= `step ${step} ${state.endings[step]}`;
  else if (event.status === 'Canceled' && !state.cancelRequested) {
    state.stopped ??= `step ${step} ${state.endings[step]}`; // e.g. its worker saw the cancel flag first
  }
}

/** The top of the loop: the next command from the state, once the last event is applied. */
function next(state: RunLoopState): RunLoopStep {
  const graph = state.graph!;
  const options = { continueOnStepFailure: graph.continueOnStepFailure, cancelRequested: state.cancelRequested };
  const reason = () => state.cancelReason ?? state.failure ?? state.stopped ?? 'an upstream step did not complete';

  if (state.pendingNeverStart) {
    const steps = state.pendingNeverStart;
    state.pendingNeverStart = undefined;
    return { state, command: neverStart(state, steps, reason()) };
  }
  if (state.settle) {
    state.settle = false;
    const settled = settleBlockedSteps(graph, state.statuses, options);
    const newlyBlocked = settled.neverStart.filter((step) => !state.blocked.includes(step));
    // A step already recorded as never starting (it waits for a step that failed or was canceled) keeps that
    // record when a cancel arrives later: it could not have run either way.
    const cancel = settled.cancel.filter((step) => !state.blocked.includes(step));
    if (cancel.length > 0) {
      for (const step of cancel) state.statuses[step] = 'Canceled';
      if (newlyBlocked.length > 0) state.pendingNeverStart = newlyBlocked;
      return { state, command: { type: 'skip', steps: cancel, status: 'Canceled', reason: reason() } };
    }
    if (newlyBlocked.length > 0) return { state, command: neverStart(state, newlyBlocked, reason()) };
  }

  const ready = state.changed ? readySteps(graph, state.statuses, options) : [];
  state.changed = false;
  if (ready.length > 0 || state.retries.length > 0) {
    const retries = state.retries;
    state.retries = [];
    state.launching = [...ready, ...retries.map((r) => r.step)];
    return { state, command: { type: 'launch', steps: ready, retries } };
  }

  if (openSteps(state).length > 0) return { state, command: { type: 'wait' } };

  state.finished = true;
  const final = runStatus(graph, state.statuses, options);
  const status = final === 'Completed' ? 'Completed' : final === 'Failed' ? 'Failed' : 'Canceled';
  const message = status === 'Canceled' ? (state.cancelReason ?? state.stopped) : state.failure;
  return { state, command: { type: 'finish', status, message } };
}

/** The skip that records steps as never starting, each with the upstream step that keeps it from starting. */
function neverStart(state: RunLoopState, steps: string[], reason: string): RunLoopCommand {
  const reasons: Record<string, string> = {};
  for (const step of steps) {
    state.blocked.push(step);
    const by = blockingStep(state.graph!, state.statuses, step);
    if (by && Object.hasOwn(state.endings, by)) reasons[step] = `upstream step ${by} ${state.endings[by]}`;
  }
  return { type: 'skip', steps, status: 'NotStarted', reason, reasons };
}

const openSteps = (state: RunLoopState) => state.graph!.order.filter((s) => isOpen(state.statuses[s]));

/** A copy deep enough that the reducer never changes the state it was given (its graph is never changed). */
function clone(state: RunLoopState): RunLoopState {
  return {
    ...state,
    statuses: { ...state.statuses },
    attempts: { ...state.attempts },
    endings: { ...state.endings },
    retries: [...state.retries],
    blocked: [...state.blocked],
  };
}
