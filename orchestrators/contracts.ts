import type { StepGraph } from '../shared/engine/dag';

/**
 * Names and payloads shared by the orchestrators and the activities they call. Orchestrators import only these
 * types and constants, never the activities themselves (their side effects stay out of replay).
 */

export const ORCHESTRATORS = {
  pipelineRun: 'pipelineRun',
  stepRun: 'stepRun',
} as const;

export const ACTIVITIES = {
  /** Marks the run Running and returns its step graph. */
  startRun: 'startRun',
  /**
   * Resolves reuse for ready steps, and starts a `stepRun` orchestration for each step that must run. It may also
   * return `reused` results for downstream steps whose inputs it completed in the same call (a reused chain is one
   * activity, not one episode per step).
   */
  launchSteps: 'launchSteps',
  /** Marks steps that will not run (canceled, skipped downstream of a failure). */
  skipSteps: 'skipSteps',
  /** Asks running steps to stop (table flags for workers, a canceled result for their orchestrations). */
  cancelSteps: 'cancelSteps',
  /** Records the run's final status. */
  finishRun: 'finishRun',
  /** Enqueues the job of one attempt of a step (or says the step was canceled before it could). */
  dispatchStep: 'dispatchStep',
  /** Records one attempt's result on the step run. */
  recordStepResult: 'recordStepResult',
  /** Raises the `run-event` of a finished step on the run's orchestration. */
  notifyRun: 'notifyRun',
  /** recordStepResult for a step's last attempt, then notifyRun with what was recorded: one activity, not two. */
  finishStep: 'finishStep',
} as const;

/** The one external event a `pipelineRun` waits for: step results and cancel requests arrive as this. */
export const RUN_EVENT = 'run-event';

export interface PipelineRunInput {
  runId: string;
}

/** The part of a run's plan the orchestrator needs to sequence steps (a StepGraph plus the run's options). */
export interface RunGraph extends StepGraph {
  runId: string;
  continueOnStepFailure: boolean;
}

export interface LaunchStepsInput {
  runId: string;
  parentInstanceId: string;
  steps: string[];
}

/** Per launched step: reused (completed at once, no job) or started in its own `stepRun` orchestration. */
export type LaunchResult =
  { step: string; outcome: 'reused' } | { step: string; outcome: 'started'; instanceId: string };

export type RunEvent =
  | { type: 'step'; step: string; status: 'Completed' | 'Failed' | 'Canceled'; message?: string }
  | { type: 'cancel'; reason?: string };

export interface SkipStepsInput {
  runId: string;
  steps: string[];
  status: 'Canceled' | 'NotStarted';
  reason: string;
}

export interface CancelStepsInput {
  runId: string;
  steps: string[];
  reason: string;
}

export interface FinishRunInput {
  runId: string;
  status: 'Completed' | 'Failed' | 'Canceled';
  message?: string;
}

export interface StepRunInput {
  runId: string;
  step: string;
  parentInstanceId: string;
}

export interface DispatchStepInput {
  runId: string;
  step: string;
  attempt: number;
  instanceId: string;
}

/** What dispatch decided: the job is on its queue (with the step's limits), or the step was canceled first. */
export type DispatchResult =
  | { dispatched: true; stepRunId: string; timeoutSeconds: number; maxAttempts: number }
  | { dispatched: false; reason: string };

/** What a step attempt ended with, as the orchestration sees it (the full result is recorded by the activity). */
export interface AttemptOutcome {
  status: 'Completed' | 'Failed' | 'Canceled';
  message?: string;
}

export interface RecordStepResultInput {
  runId: string;
  step: string;
  attempt: number;
  /** What the attempt reported (or a timeout/cancel decided by the orchestration). */
  outcome: AttemptOutcome;
  /** True when another attempt follows, so the step run stays open. */
  willRetry: boolean;
}

export interface NotifyRunInput {
  instanceId: string;
  event: RunEvent;
}

export interface FinishStepInput {
  record: RecordStepResultInput;
  /** The run's orchestration, told of the step's final outcome. */
  parentInstanceId: string;
}
