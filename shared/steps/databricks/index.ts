import type { DatabricksStep } from '../../spec/schema';
import type { StepPlan } from '../../engine/plan';
import type { StepKind } from '../kind';
import { planProgram, programReads, programTemplates, programWrites } from '../program';
import { cancelDatabricksAttempt } from './cancel';
import { databricksWork } from './work';

/**
 * `databricks` (DatabricksStep): each attempt is durable work (`stepWork`, ./work.ts) that submits a one-time run to
 * the attached Databricks workspace and polls it with durable timers; `cancel` cancels the Databricks run. See
 * docs/databricks.md.
 */
export const databricksKind: StepKind<DatabricksStep> = {
  type: 'databricks',
  runsOn: 'external',
  work: databricksWork,
  cancel: (ctx) => cancelDatabricksAttempt(ctx).then(() => undefined),
  reads: programReads,
  scriptField: (step) => (step.python_script_name === undefined ? undefined : 'python_script_name'),
  writes: programWrites,
  templates(step) {
    const out = programTemplates(step);
    for (const [k, value] of Object.entries(step.notebook_params)) out.push({ value, path: ['notebook_params', k] });
    return out;
  },
  plan(step, plan, ctx) {
    const args = planProgram(step, plan, ctx);
    if (step.compute !== undefined) plan.compute = step.compute;
    plan.args = args;
    plan.entry = step.notebook_path ?? step.python_script_path ?? step.python_script_name ?? step.main_class_name;
    const d: NonNullable<StepPlan['databricks']> = {
      notebookParams: Object.fromEntries(Object.entries(step.notebook_params).map(([k, v]) => [k, ctx.bind(v)])),
      jarLibraries: [...step.jar_libraries],
    };
    if (step.notebook_path !== undefined) d.notebookPath = step.notebook_path;
    if (step.python_script_path !== undefined) d.pythonScriptPath = step.python_script_path;
    if (step.python_script_name !== undefined) d.pythonScriptName = step.python_script_name;
    if (step.main_class_name !== undefined) d.mainClassName = step.main_class_name;
    if (step.existing_cluster_id !== undefined) d.existingClusterId = step.existing_cluster_id;
    if (step.new_cluster !== undefined) d.newCluster = { ...step.new_cluster };
    if (step.run_name !== undefined) d.runName = step.run_name;
    if (step.libraries.length) d.libraries = step.libraries.map((l) => ({ ...l }));
    if (step.timeout_seconds !== undefined) d.timeoutSeconds = step.timeout_seconds;
    plan.databricks = d;
  },
  reuseSettings: (plan) => ({ ...plan.databricks }),
};
