import { z } from 'zod';
import { buildRunPlan, resolveParameters } from '../../engine';
import { planReuse } from '../../reuse';
import type { ApiDeps } from '../types';
import { preparePipeline, readSpec, type SubmitFields } from './preparePipeline';

/**
 * `POST /api/experiments/{e}/runs?dryRun=true`: the submit checked exactly as a real one (same 400s), then each
 * step's reuse decision and why (shared/reuse/plan.ts) — nothing recorded, nothing started.
 */

const Ref = z.object({ runId: z.string(), step: z.string() });

export const DryRunPlanView = z
  .object({
    dryRun: z.literal(true),
    experiment: z.string(),
    pipelineId: z.string(),
    pipelineName: z.string(),
    regenerateOutputs: z.boolean(),
    steps: z.array(
      z.object({
        name: z.string(),
        reuse: z.boolean().meta({ description: 'True: the step will complete from `reusedFrom` without a job' }),
        certain: z.boolean().meta({
          description:
            'False when the step runs only because an upstream step runs: if that step writes byte-identical ' +
            'output, the run reuses this step after all',
        }),
        reasons: z.array(z.string()),
        reuseKey: z.string().optional(),
        reusedFrom: Ref.optional(),
        comparedWith: Ref.optional(),
      }),
    ),
    summary: z.object({ reused: z.number().int(), run: z.number().int() }),
  })
  .meta({ id: 'ReusePlan' });

export type DryRunPlanView = z.infer<typeof DryRunPlanView>;

export interface DryRunInput extends SubmitFields {
  regenerateOutputs: boolean;
}

export async function dryRunPlan(deps: ApiDeps, experiment: string, body: DryRunInput): Promise<DryRunPlanView> {
  const prepared = await preparePipeline(deps.store, body, deps.defaultCompute, {
    record: false,
    computeTargets: await deps.computeTargets(),
  });
  const spec = await readSpec(deps.store, body);
  const parameters = resolveParameters(spec, { parameters: body.parameters, dataPaths: body.dataPaths });
  const plan = buildRunPlan(spec, {
    runId: 'dry-run',
    defaultCompute: deps.defaultCompute,
    parameters,
    snapshots: prepared.snapshots,
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
