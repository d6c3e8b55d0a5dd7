import type { PythonStep } from '../../spec/schema';
import type { StepKind } from '../kind';
import { launchWorkerJob, planProgram, programReads, programTemplates, programWrites } from '../program';

/** `python`: a script of the step's snapshot, run by `python3` as a job on a compute worker (PythonScriptStep). */
export const pythonKind: StepKind<PythonStep> = {
  type: 'python',
  runsOn: 'worker',
  reads: programReads,
  writes: programWrites,
  templates: programTemplates,
  scriptField: () => 'script',
  plan(step, plan, ctx) {
    const args = planProgram(step, plan, ctx);
    Object.assign(plan, { compute: step.compute ?? ctx.defaultCompute, program: 'python3', entry: step.script });
    plan.args = [step.script, ...args];
    if (step.environment) plan.environment = structuredClone(step.environment);
  },
  // A declared environment changes what the step runs with (as in Azure ML); steps without one keep their keys.
  reuseSettings: (plan) => (plan.environment ? { environment: plan.environment } : {}),
  entryLabel: 'script',
  launch: launchWorkerJob,
};
