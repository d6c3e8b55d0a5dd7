import type { WorkerKind } from './kind';

/** `python`: `python3 <script> …`, with the worker's `--python` interpreter in place of `python3` when it has one. */
export const pythonWorkerKind: WorkerKind = {
  type: 'python',
  process: (command, options) =>
    command.program === 'python3' && options.python ? { ...command, program: options.python } : command,
  failure: (_command, exit) => `the script failed with ${exit}; see the step log`,
};
