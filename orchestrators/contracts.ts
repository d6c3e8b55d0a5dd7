import type { LaunchResult, RunEvent, RunGraph } from '../shared/engine/runLoop';
import type {
  CancelStepsInput,
  CancelStepsResult,
  FinishRunInput,
  FinishRunResult,
  LaunchStepsInput,
  PipelineRunInput,
  SkipStepsInput,
  SkipStepsResult,
  StartedRun,
} from '../shared/engine/activities';

export type { LaunchResult, RunEvent, RunGraph };
export type { FinishStepWorkInput, StartStepWorkResult, StepWorkActivityInput } from '../shared/engine/stepWork';
export type { StepWorkJob, StepWorkOutcome } from '../shared/steps/kind';
export type {
  CancelStepsInput,
  CancelStepsResult,
  FinishRunInput,
  FinishRunResult,
  LaunchStepsInput,
  PipelineRunInput,
  SkipStepsInput,
  SkipStepsResult,
  StartedRun,
};

/**
 * Names and payloads shared by the orchestrators and the activities they call. Orchestrators import only these
 * types and constants, never the activities themselves (their side effects stay out of replay).
 */

export const ORCHESTRATORS = {
  pipelineRun: 'pipelineRun',
  /** One attempt of a step that runs outside workers (shared/engine/stepWork.ts). */
  stepWork: 'stepWork',
} as const;

export const ACTIVITIES = {
  /** Marks the run Running and returns its step graph (runs started before startRunAndLaunch). */
  startRun: 'startRun',
  /** startRun and the run loop's first launch in one activity: the graph and the launch's answer. */
  startRunAndLaunch: 'startRunAndLaunch',
  /**
   * Resolves reuse for ready steps and puts a job on its compute queue for each step that must run (and for each
   * retry it is given). It may also return `reused` results for downstream steps whose inputs it completed in the
   * same call (a reused chain is one activity, not one episode per step).
   */
  launchSteps: 'launchSteps',
  /**
   * Marks steps that will not run (canceled, skipped downstream of a failure); a step to cancel that a trigger
   * launched meanwhile is stopped like cancelSteps stops it, and answered for when its process had started.
   */
  skipSteps: 'skipSteps',
  /**
   * Stops running steps: flags them for their workers, which kill the process tree; a step whose process started
   * is Canceling until its worker's result says the tree is gone, one still waiting in a queue is Canceled at once.
   */
  cancelSteps: 'cancelSteps',
  /**
   * Records the run's final status; a run ending Failed or Canceled is first checked for steps still open on its
   * rows (launched by the step-results trigger, not told yet), which it answers instead of ending the run.
   */
  finishRun: 'finishRun',
  /** stepWork: marks the attempt Running and returns its plan (or says it is stale or canceled). */
  startStepWork: 'startStepWork',
  /** stepWork: one of the step kind's own activities, by name. */
  stepWorkActivity: 'stepWorkActivity',
  /** stepWork: posts the attempt's outcome on `step-results`, as a worker's result. */
  finishStepWork: 'finishStepWork',
} as const;

/** The one external event a `pipelineRun` waits for: step results and cancel requests arrive as this. */
export const RUN_EVENT = 'run-event';
