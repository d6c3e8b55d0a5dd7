import { normalizeRelativePath } from '../spec/safePath';
import type { StepPlan } from '../engine/plan';
import type { AnyStep, KindPlanContext, LaunchContext, StepRef, StepTemplate } from './kind';

/**
 * What the kinds that run a program (python, command, parallel, databricks) share: the spec fields `inputs`,
 * `outputs`, `arguments`, `env`, `source_directory`, `compute`, how they are planned, and a launch as a worker job.
 */
export interface ProgramStep extends AnyStep {
  inputs: string[];
  arguments: string[];
  env: Record<string, string>;
  source_directory?: string;
  compute?: string;
}

export const programReads = (step: ProgramStep): StepRef[] =>
  step.inputs.map((name, i) => ({ name, path: ['inputs', i] }));

export const programWrites = (step: ProgramStep & { outputs: string[] }): StepRef[] =>
  step.outputs.map((name, i) => ({ name, path: ['outputs', i] }));

export function programTemplates(step: ProgramStep): StepTemplate[] {
  const out: StepTemplate[] = step.arguments.map((value, i) => ({ value, path: ['arguments', i] }));
  for (const [k, value] of Object.entries(step.env)) out.push({ value, path: ['env', k] });
  return out;
}

/**
 * Plans the fields of a program step every such kind shares (argument and env templates as written and bound, the
 * source directory and its snapshot); returns the bound arguments, which the kind puts after its own first ones.
 */
export function planProgram(step: ProgramStep, plan: StepPlan, ctx: KindPlanContext): string[] {
  plan.argumentTemplates = [...step.arguments];
  plan.envTemplates = { ...step.env };
  plan.env = Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, ctx.bind(v)]));
  const sourceDirectory =
    step.source_directory === undefined ? undefined : normalizeRelativePath(step.source_directory);
  if (sourceDirectory !== undefined) {
    plan.sourceDirectory = sourceDirectory;
    const snapshotId =
      ctx.snapshots && Object.hasOwn(ctx.snapshots, sourceDirectory) ? ctx.snapshots[sourceDirectory] : undefined;
    if (snapshotId !== undefined) plan.snapshotId = snapshotId;
  }
  return step.arguments.map(ctx.bind);
}

/** Launch as a worker job: the job goes to `compute-<target>`; a worker runs it and posts the result. */
export async function launchWorkerJob(ctx: LaunchContext): Promise<void> {
  await ctx.queueJob(ctx.jobMessage());
}
