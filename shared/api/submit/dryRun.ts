import type { z } from 'zod';
import { DryRunPlanView } from '../schemas';
import { buildRunPlan, resolveParameters } from '../../engine';
import { planReuse } from '../../reuse';
import type { ApiDeps } from '../types';
import { preparePipeline, type SubmitFields } from './preparePipeline';

/**
 * `POST /api/experiments/{e}/runs?dryRun=true`: the submit checked exactly as a real one (same 400s), then each
 * step's reuse decision and why (shared/reuse/plan.ts) — nothing recorded, nothing started.
 */

export { DryRunPlanView };
export type DryRunPlanView = z.infer<typeof DryRunPlanView>;

export interface DryRunInput extends SubmitFields {
  regenerateOutputs: boolean;
}

export async function dryRunPlan(deps: ApiDeps, experiment: string, body: DryRunInput): Promise<DryRunPlanView> {
  const prepared = await preparePipeline(deps.store, body, deps.defaultCompute, {
    record: false,
    computeTargets: (options) => deps.computeTargets(options),
  });
  const spec = prepared.spec;
  const parameters = resolveParameters(spec, { parameters: body.parameters, dataPaths: body.dataPaths });
  const plan = buildRunPlan(spec, {
    runId: 'dry-run',
    defaultCompute: deps.defaultCompute,
    parameters,
    snapshots: prepared.snapshots,
    datastoreContainers: prepared.datastoreContainers,
  });
  const steps = await planReuse(
    plan,
    { regenerateOutputs: body.regenerateOutputs, now: deps.now().toISOString() },
    deps.store,
  );
  const reused = steps.filter((s) => s.reuse).length;
  return {
    dryRun: true,
    experiment,
    pipelineId: prepared.pipelineId,
    pipelineName: prepared.pipelineName,
    regenerateOutputs: body.regenerateOutputs,
    steps,
    summary: { reused, run: steps.length - reused },
  };
}
