import type { JobMessage } from '../../shared/compute/messages';
import type { RunStepInput, StepRunOutcome } from '../runStep';

/** A job's command line after the worker put local paths in place of `${{inputs.x}}` and the like. */
export interface StepCommand {
  program: string;
  args: string[];
  env: Record<string, string>;
}

/** The worker's side of a step kind that runs on workers (shared/steps/kind.ts `runsOn: 'worker'`). */
export interface WorkerKind {
  /** The spec's `type`, as the job message carries it. */
  readonly type: string;
  /** The process to start for the job's command line (e.g. the configured interpreter for `python3`). */
  process(command: StepCommand, options: { python?: string }): StepCommand;
  /** The step's error for a process that ended badly: `the script failed with exit code 1; see the step log`. */
  failure(command: StepCommand, exit: string): string;
  /**
   * Runs the job itself instead of the one process `process` describes (the parallel step's many processes); the
   * worker prepared the sandbox and posts what it returns, as for any job.
   */
  run?(input: RunStepInput): Promise<StepRunOutcome>;
  /**
   * Inputs the worker only lists before `run` (`bindings.listed`) because `run` downloads their files itself, as it
   * needs them; every other input is downloaded whole first.
   */
  deferredInputs?(job: JobMessage): string[];
}
