import type { ParallelStep } from '../../spec/schema';
import type { StepKind } from '../kind';
import { planProgram, programReads, programTemplates } from '../program';

/**
 * `parallel` (ParallelRunStep): planned and validated, not runnable yet (issue 15). It will launch as many warm
 * `python3` processes on workers (jobs on `compute-<target>`), with `handleResult` turning failed mini-batches under
 * `error_threshold` into a completed attempt.
 */
export const parallelKind: StepKind<ParallelStep> = {
  type: 'parallel',
  runsOn: 'worker',
  notRunnable: true,
  reads: programReads,
  writes: (step) => [{ name: step.output, path: ['output'] }],
  templates: programTemplates,
  scriptField: () => 'entry_script',
  plan(step, plan, ctx) {
    const args = planProgram(step, plan, ctx);
    Object.assign(plan, { compute: step.compute ?? ctx.defaultCompute, program: 'python3', entry: step.entry_script });
    plan.args = [step.entry_script, ...args];
    plan.parallel = {
      entryScript: step.entry_script,
      miniBatchSize: step.mini_batch_size,
      errorThreshold: step.error_threshold,
      runMaxTry: step.run_max_try,
      outputAction: step.output_action,
      appendRowFileName: step.append_row_file_name,
    };
  },
  reuseSettings(plan) {
    const { entryScript: _entry, ...rest } = plan.parallel!;
    return rest;
  },
  entryLabel: 'entry script',
};
