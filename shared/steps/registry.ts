import { isAbsolute } from 'node:path';
import type { PipelineSpec } from '../spec/schema';
import { addStepSchema, STEP_TYPES } from '../spec/schema';
import { commandKind } from './command';
import { databricksKind } from './databricks';
import { dataTransferKind } from './data_transfer';
import type { AnyStep, StepKind } from './kind';
import { parallelKind } from './parallel';
import { pythonKind } from './python';

/**
 * The one table of step kinds: a kind is a folder under shared/steps/ plus one line here. Built on first use (the
 * kinds' modules import the engine, which imports this table). `registerStepKind` adds a kind from outside — a
 * module named in `SLUICE_STEP_KIND_MODULES` (see loadStepKindModules), which the test suite uses for a no-op kind.
 */
let table: Map<string, StepKind> | undefined;

function kinds(): Map<string, StepKind> {
  table ??= new Map(
    ([pythonKind, commandKind, parallelKind, dataTransferKind, databricksKind] as StepKind<never>[]).map((k) => [
      k.type,
      k as unknown as StepKind,
    ]),
  );
  return table;
}

/** The kind of a step type; throws for a type no kind is registered for (the spec schema refuses those first). */
export function stepKind(type: string): StepKind {
  const kind = kinds().get(type);
  if (!kind) throw new Error(`no step kind "${type}" is registered`);
  return kind;
}

/** The kind of a step type, or undefined (for records written by a process that knew more kinds). */
export function findStepKind(type: string): StepKind | undefined {
  return kinds().get(type);
}

/** Adds a kind to the table and, when it brings its spec schema, to the spec's union of step schemas. */
export function registerStepKind<S extends AnyStep>(kind: StepKind<S>): void {
  if (kinds().has(kind.type)) throw new Error(`a step kind "${kind.type}" is registered already`);
  if (!kind.notRunnable && !kind.launch && !kind.work) {
    throw new Error(`step kind "${kind.type}" is runnable but has neither launch nor work`);
  }
  if (kind.work && kind.runsOn === 'worker') {
    throw new Error(`step kind "${kind.type}" runs on workers; work is for kinds that run elsewhere`);
  }
  if (!kind.schema && !(STEP_TYPES as readonly string[]).includes(kind.type)) {
    throw new Error(`step kind "${kind.type}" has no schema; the spec could not accept its steps`);
  }
  if (kind.schema) addStepSchema(kind.schema);
  kinds().set(kind.type, kind as unknown as StepKind);
}

/** The step types that can run, in registration order. */
export function runnableStepTypes(): string[] {
  return [...kinds().values()].filter((k) => !k.notRunnable).map((k) => k.type);
}

/** The runnable kinds whose attempts are jobs for workers. */
export function jobStepTypes(): string[] {
  return [...kinds().values()].filter((k) => !k.notRunnable && k.runsOn === 'worker').map((k) => k.type);
}

/** Whether a step of this type runs as a job on a worker (and so has a job message). */
export function queuedAsJob(type: string): boolean {
  return jobStepTypes().includes(type);
}

/** Why a step of this type cannot run, or undefined when it can. */
export function cannotRun(type: string): string | undefined {
  const kind = kinds().get(type);
  return kind && !kind.notRunnable
    ? undefined
    : `step type "${type}" cannot run yet; use a ${listOr(runnableStepTypes())} step`;
}

/** `a`, `a or b`, `a, b or c`. */
function listOr(items: string[]): string {
  return items.length <= 2 ? items.join(' or ') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** Every step of the spec whose type cannot run, with its path in the spec and a message naming it and its type. */
export function unrunnableSteps(spec: PipelineSpec): { path: string; message: string }[] {
  return spec.steps.flatMap((step, i) => {
    const why = cannotRun(step.type);
    return why ? [{ path: `steps[${i}].type`, message: `step "${step.name}": ${why}` }] : [];
  });
}

/** Environment variable: comma-separated absolute paths of modules that export `stepKind` (and maybe `workerKind`). */
export const STEP_KIND_MODULES_VARIABLE = 'SLUICE_STEP_KIND_MODULES';

/**
 * Loads the extra step kinds named in SLUICE_STEP_KIND_MODULES and registers each module's `stepKind` (the Functions
 * app calls this as it loads; the worker reads the same variable for `workerKind`, worker/kinds.ts). Unset, it does
 * nothing. A path that is not absolute, or a module without `stepKind`, stops the app with a message naming it.
 */
export function loadStepKindModules(env: NodeJS.ProcessEnv = process.env): string[] {
  const loaded: string[] = [];
  for (const path of stepKindModulePaths(env)) {
    const mod = require(path) as { stepKind?: StepKind };
    if (!mod.stepKind) throw new Error(`${STEP_KIND_MODULES_VARIABLE}: ${path} exports no stepKind`);
    registerStepKind(mod.stepKind);
    loaded.push(mod.stepKind.type);
  }
  return loaded;
}

/** The module paths SLUICE_STEP_KIND_MODULES names. */
export function stepKindModulePaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const paths = (env[STEP_KIND_MODULES_VARIABLE] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of paths) {
    if (!isAbsolute(p)) throw new Error(`${STEP_KIND_MODULES_VARIABLE}: "${p}" is not an absolute path`);
  }
  return paths;
}
