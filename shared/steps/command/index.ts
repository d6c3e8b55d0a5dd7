import type { CommandStep } from '../../spec/schema';
import type { StepKind } from '../kind';
import { launchWorkerJob, planProgram, programReads, programTemplates, programWrites } from '../program';

/** `command`: an executable (on PATH or in the snapshot) run without a shell as a job on a compute worker. */
export const commandKind: StepKind<CommandStep> = {
  type: 'command',
  runsOn: 'worker',
  reads: programReads,
  writes: programWrites,
  templates: programTemplates,
  plan(step, plan, ctx) {
    const args = planProgram(step, plan, ctx);
    Object.assign(plan, { compute: step.compute ?? ctx.defaultCompute, program: step.command, entry: step.command });
    plan.args = args;
  },
  entryLabel: 'command',
  launch: launchWorkerJob,
};
