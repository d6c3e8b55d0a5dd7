import { STEP_KIND_MODULES_VARIABLE, stepKindModulePaths } from '../../shared/steps/registry';
import { commandWorkerKind } from './command';
import type { WorkerKind } from './kind';
import { parallelWorkerKind } from './parallel';
import { pythonWorkerKind } from './python';

export type { StepCommand, WorkerKind } from './kind';

/**
 * The worker's table of step kinds (the worker half of shared/steps/registry.ts): how a job of each kind that runs
 * on workers becomes a process. One line per kind; a kind from a module named in SLUICE_STEP_KIND_MODULES is added
 * from the module's `workerKind` export when the table is first read.
 */
let table: Map<string, WorkerKind> | undefined;

function kinds(): Map<string, WorkerKind> {
  if (!table) {
    table = new Map([pythonWorkerKind, commandWorkerKind, parallelWorkerKind].map((k) => [k.type, k]));
    for (const path of stepKindModulePaths()) {
      const mod = require(path) as { workerKind?: WorkerKind };
      if (mod.workerKind) table.set(mod.workerKind.type, mod.workerKind);
      else if (!('stepKind' in mod)) {
        throw new Error(`${STEP_KIND_MODULES_VARIABLE}: ${path} exports neither workerKind nor stepKind`);
      }
    }
  }
  return table;
}

/** How this worker runs a job of this kind, or undefined when it does not know the kind. */
export function workerKind(type: string): WorkerKind | undefined {
  return kinds().get(type);
}

/** Adds a kind to the worker's table (for a kind registered in code rather than through the variable). */
export function registerWorkerKind(kind: WorkerKind): void {
  if (kinds().has(kind.type)) throw new Error(`a worker kind "${kind.type}" is registered already`);
  kinds().set(kind.type, kind);
}
