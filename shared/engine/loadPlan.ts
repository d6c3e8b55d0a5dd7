import { resolveParameters } from './parameters';
import { buildRunPlan, type RunPlan } from './plan';
import { NotFoundError } from '../errors';
import type { PipelineSpec } from '../spec';
import type { RunRecord, Store, Stored } from '../store';

export interface LoadedRun {
  run: Stored<RunRecord>;
  plan: RunPlan;
}

/**
 * A run's plan, rebuilt from what the run record pins (spec by hash, parameters, data paths, snapshots). The plan of
 * a run never changes, so it is cached per process: activities of one run read the spec once.
 */
export function createPlanLoader(store: Store, defaultCompute: string, cacheSize = 200) {
  const cache = new Map<string, RunPlan>();
  async function loadRun(runId: string): Promise<LoadedRun> {
    const run = await store.runs.get(runId);
    if (!run) throw new NotFoundError(`Run ${runId} does not exist.`);
    return { run, plan: await planFor(run) };
  }
  async function planFor(run: Stored<RunRecord>): Promise<RunPlan> {
    const runId = run.id;
    let plan = cache.get(runId);
    if (!plan) {
      const pipeline = await store.pipelines.get(run.pipelineId);
      if (!pipeline) throw new NotFoundError(`The pipeline ${run.pipelineId} of run ${runId} does not exist.`);
      const spec = pipeline.spec as PipelineSpec;
      const parameters = resolveParameters(spec, {
        parameters: run.parameters as Record<string, unknown>,
        dataPaths: run.dataPaths,
      });
      plan = buildRunPlan(spec, { runId, defaultCompute, parameters, snapshots: run.snapshots });
      cache.set(runId, plan);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
    }
    return plan;
  }
  /** The run's plan alone: from the cache without a read when this process has built it already. */
  async function planOf(runId: string): Promise<RunPlan> {
    return cache.get(runId) ?? (await loadRun(runId)).plan;
  }
  return Object.assign(loadRun, { planOf });
}

export type PlanLoader = ReturnType<typeof createPlanLoader>;
