import type { WorkerKind } from './kind';

/** `command`: the executable and its arguments, as planned. */
export const commandWorkerKind: WorkerKind = {
  type: 'command',
  process: (command) => command,
  failure: (command, exit) => `"${command.program}" failed with ${exit}; see the step log`,
};
