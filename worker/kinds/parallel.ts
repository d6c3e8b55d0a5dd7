import { parallelSettings, runParallel } from '../parallel/runParallel';
import type { WorkerKind } from './kind';

/**
 * `parallel`: warm driver processes fed mini-batches (worker/parallel/runParallel.ts, docs/parallel-run.md), each
 * `python3 -m azureml_user.parallel_run._driver <entry script> <arguments>` with the worker's `--python` interpreter.
 */
export const parallelWorkerKind: WorkerKind = {
  type: 'parallel',
  process: (command, options) =>
    command.program === 'python3' && options.python ? { ...command, program: options.python } : command,
  failure: (_command, exit) => `the parallel step's driver failed with ${exit}; see the step log`,
  run: (input) => runParallel(input),
  // The partitioned inputs' files are downloaded while the processes run, each before the mini-batch that needs it.
  deferredInputs: (job) => parallelSettings(job.env)?.partitionedInputs ?? [],
};
