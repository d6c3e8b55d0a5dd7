import { resolveParameters } from './parameters';
import { buildRunPlan, type RunPlan } from './plan';
import { NotFoundError } from '../errors';
import type { PipelineSpec } from '../spec';
import { canonicalJson, sha256Hex } from '../store/keys';
import type { PipelineRecord, PipelineRepository, RunRecord, Store, Stored } from '../store';

export interface LoadedRun {
  run: Stored<RunRecord>;
  plan: RunPlan;
}

/**
 * A run's plan, rebuilt from what the run record pins (spec by hash, parameters, data paths, snapshots). The plan of
 * a run never changes, so it is cached per process: activities of one run read the spec once. Beside it the loader
 * keeps the run's row as this process last read or wrote it (`known`, `remember`).
 */
export function createPlanLoader(store: Store, defaultCompute: string, cacheSize = 200) {
  const cache = new Map<string, RunPlan>();
  const rows = new Map<string, Stored<RunRecord>>();
  async function loadRun(runId: string): Promise<LoadedRun> {
    const run = await store.runs.get(runId);
    if (!run) throw new NotFoundError(`Run ${runId} does not exist.`);
    const plan = await planFor(run);
    remember(run);
    return { run, plan };
  }
  async function planFor(run: Stored<RunRecord>): Promise<RunPlan> {
    const runId = run.id;
    let plan = cache.get(runId);
    if (!plan) {
      const pipeline = await storedPipelines(store).get(run.pipelineId);
      if (!pipeline) throw new NotFoundError(`The pipeline ${run.pipelineId} of run ${runId} does not exist.`);
      const spec = pipeline.spec as PipelineSpec;
      const parameters = resolveParameters(spec, {
        parameters: run.parameters as Record<string, unknown>,
        dataPaths: run.dataPaths,
      });
      plan = buildRunPlan(spec, {
        runId,
        defaultCompute,
        parameters,
        snapshots: run.snapshots,
        datastoreContainers: run.datastoreContainers,
      });
      cache.set(runId, plan);
      if (cache.size > cacheSize) {
        const oldest = cache.keys().next().value!;
        cache.delete(oldest);
        rows.delete(oldest);
      }
    }
    return plan;
  }
  /** The run's plan alone: from the cache without a read when this process has built it already. */
  async function planOf(runId: string): Promise<RunPlan> {
    return cache.get(runId) ?? (await loadRun(runId)).plan;
  }
  /** The run's plan if this process has built it already, else undefined (never reads). */
  function cachedPlan(runId: string): RunPlan | undefined {
    return cache.get(runId);
  }
  /**
   * Notes a run's row as this process just read or wrote it (kept only while its plan is: a row a process has no
   * plan for is of no use to `known`).
   */
  function remember(run: Stored<RunRecord>): void {
    if (cache.has(run.id)) rows.set(run.id, run);
  }
  /**
   * The run and its plan as this process last saw them, without a read; undefined if it has not. The row may be
   * stale: others may have written it since (a cancel, a parent metric, the run's end). What may be taken from it
   * is what never changes once the run started (its experiment, pipeline, parameters, deadline sweep); its status
   * stops a launch only when it says stop (a run never goes back to Running), and the step-results trigger learns
   * of a cancel or an end from the step rows it reads anyway (results.ts).
   */
  function known(runId: string): LoadedRun | undefined {
    const plan = cache.get(runId);
    const run = rows.get(runId);
    return plan && run ? { run, plan } : undefined;
  }
  return Object.assign(loadRun, { planOf, cachedPlan, remember, known });
}

export type PlanLoader = ReturnType<typeof createPlanLoader>;

/** How many pipelines a process keeps (per store): a few hundred specs of a few kB. */
const KEPT_PIPELINES = 200;

const keptPipelines = new WeakMap<PipelineRepository, Map<string, PipelineRecord>>();

/**
 * The store's pipelines, with the ones this process stored or read kept in memory. A pipeline is stored under the
 * hash of its spec and is never changed or deleted, so a kept copy cannot be stale: the submit that stores a spec
 * and the run's first activity that reads it back (one process under `npm start`), and every later submit of the
 * same spec, need no storage request for it. Copies go in and out as JSON, as storage would give them.
 */
export function storedPipelines(store: Pick<Store, 'pipelines'>): Pick<PipelineRepository, 'get' | 'put'> {
  const repository = store.pipelines;
  let kept = keptPipelines.get(repository);
  if (!kept) keptPipelines.set(repository, (kept = new Map()));
  const keep = (record: PipelineRecord) => {
    kept.set(record.id, JSON.parse(JSON.stringify(record)) as PipelineRecord);
    if (kept.size > KEPT_PIPELINES) kept.delete(kept.keys().next().value!);
  };
  const copy = (record: PipelineRecord) => JSON.parse(JSON.stringify(record)) as PipelineRecord;
  return {
    async get(id) {
      const found = kept.get(id);
      if (found) return copy(found);
      const record = await repository.get(id);
      if (record) keep(record);
      return record;
    },
    async put(spec, meta) {
      const found = kept.get(sha256Hex(canonicalJson(spec)));
      if (found) return copy(found);
      const record = await repository.put(spec, meta);
      keep(record);
      return record;
    },
  };
}
