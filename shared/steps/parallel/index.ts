import type { ParallelStep } from '../../spec/schema';
import type { StepKind } from '../kind';
import { launchWorkerJob, planProgram, programTemplates } from '../program';
import { PARALLEL_SETTINGS_VARIABLE, parseMiniBatchSize, type ParallelSettings } from './settings';

/**
 * `parallel` (ParallelRunStep): one job on the step's compute target whose worker splits the `inputs` into
 * mini-batches, records them durably, and runs them on `node_count × process_count_per_node` warm `python3` processes
 * (the driver in python/azureml_user/parallel_run), applying `run_max_try`, `run_invocation_timeout` and the error
 * thresholds itself; the attempt's result is the whole step's. See docs/parallel-run.md.
 */
export const parallelKind: StepKind<ParallelStep> = {
  type: 'parallel',
  runsOn: 'worker',
  reads: (step) => [
    ...step.inputs.map((name, i) => ({ name, path: ['inputs', i] })),
    ...step.side_inputs.map((name, i) => ({ name, path: ['side_inputs', i] })),
  ],
  writes: (step) => [{ name: step.output, path: ['output'] }],
  templates: programTemplates,
  scriptField: () => 'entry_script',
  plan(step, plan, ctx) {
    const args = planProgram(step, plan, ctx);
    Object.assign(plan, { compute: step.compute ?? ctx.defaultCompute, program: 'python3', entry: step.entry_script });
    plan.args = [step.entry_script, ...args];
    const settings: ParallelSettings = {
      entryScript: step.entry_script,
      miniBatchSize: parseMiniBatchSize(step.mini_batch_size),
      partitionedInputs: [...step.inputs],
      sideInputs: [...step.side_inputs],
      nodeCount: step.node_count,
      processCountPerNode: step.process_count_per_node,
      runInvocationTimeoutSeconds: step.run_invocation_timeout,
      runMaxTry: step.run_max_try,
      errorThreshold: step.error_threshold,
      allowedFailedCount: step.allowed_failed_count,
      allowedFailedPercent: step.allowed_failed_percent,
      outputAction: step.output_action,
      appendRowFileName: step.append_row_file_name,
      output: step.output,
      loggingLevel: step.logging_level,
    };
    plan.parallel = settings;
    plan.env[PARALLEL_SETTINGS_VARIABLE] = JSON.stringify(settings);
  },
  reuseSettings(plan) {
    const { entryScript: _entry, ...rest } = plan.parallel!;
    return rest;
  },
  entryLabel: 'entry script',
  launch: launchWorkerJob,
};
