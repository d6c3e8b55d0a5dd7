import type { StepGraph } from '../shared/engine/dag';

/**
 * Names and payloads shared by the orchestrators and the activities they call. Orchestrators import only these
 * types and constants, never the activities themselves (their side effects stay out of replay).
 */

export const ORCHESTRATORS = {
  pipelineRun: 'pipelineRun',
} as const;

export const ACTIVITIES = {
  /** Marks the run Running and returns its step graph. */
  startRun: 'startRun',
  /**
   * Resolves reuse for ready steps and puts a job on its compute queue for each step that must run (and for each
   * retry it is given). It may also return `reused` results for downstream steps whose inputs it completed in the
   * same call (a reused chain is one activity, not one episode per step).
   */
  launchSteps: 'launchSteps',
  /** Marks steps that will not run (canceled, skipped downstream of a failure). */
  skipSteps: 'skipSteps',
  /**
   * Stops running steps: flags them for their workers, which kill the process tree; a step whose process started
   * is Canceling until its worker's result says the tree is gone, one still waiting in a queue is Canceled at once.
   */
  cancelSteps: 'cancelSteps',
  /** Records the run's final status. */
  finishRun: 'finishRun',
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
  /** The run's orchestration: where the steps' results are raised. */
  instanceId: string;
  /** Steps whose inputs now exist: reused, or dispatched as attempt 1. */
  steps: string[];
  /** Steps whose last attempt failed with attempts left: dispatched again with this attempt number. */
  retries?: { step: string; attempt: number }[];
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
    }
  | { type: 'cancel'; reason?: string };

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

/**
 * How long after dispatch a step attempt may stay silent before the run gives up on it. The worker enforces the
 * step's own timeout; this backstop covers a lost worker and a job that waited in the queue or was redelivered
 * after a worker crash (so it allows two full runs plus ten minutes).
 */
export function resultDeadlineSeconds(timeoutSeconds: number): number {
  return 2 * timeoutSeconds + 600;
}
