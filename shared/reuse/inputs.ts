import { rebindInputs, type RunPlan, type StepPlan } from '../engine/plan';
import { outputLocations } from './facts';
import type { StepRunRecord, Store, Stored } from '../store';

/**
 * A step's plan with its intermediate inputs pointing at where their producers' outputs actually are: for a reused
 * producer, the original run's blobs (nothing is copied); producers that ran in this run are where the plan says.
 * Each input also names its producer's files when they are few (facts.ts `outputLocations`).
 */
export async function withProducerLocations(
  store: Store,
  plan: RunPlan,
  step: string,
  /**
   * Producer rows the caller read after they completed (a Completed row no longer changes): used instead of reading
   * them again. A producer missing here, or not Completed in it, is read.
   */
  known?: ReadonlyMap<string, Stored<StepRunRecord>>,
): Promise<StepPlan> {
  const s = plan.steps[step];
  const producers = [...new Set(s.inputs.map((i) => i.producer).filter((p): p is string => p !== undefined))];
  if (producers.length === 0) return s;
  const rows = await Promise.all(
    producers.map((p) => {
      const row = known?.get(p);
      return row?.status === 'Completed' ? row : store.stepRuns.get(plan.runId, p);
    }),
  );
  const completed = rows.filter((r): r is Stored<StepRunRecord> => r?.status === 'Completed');
  if (completed.length === 0) return s;
  return rebindInputs(s, outputLocations(completed.flatMap((r) => r.outputs)));
}

/** The run's plan with `step` rebound (see withProducerLocations), for building its job message. */
export async function planWithProducerLocations(
  store: Store,
  plan: RunPlan,
  step: string,
  known?: ReadonlyMap<string, Stored<StepRunRecord>>,
): Promise<RunPlan> {
  const rebound = await withProducerLocations(store, plan, step, known);
  return rebound === plan.steps[step] ? plan : { ...plan, steps: { ...plan.steps, [step]: rebound } };
}
