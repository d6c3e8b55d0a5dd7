import { rebindInputs, type RunPlan, type StepPlan } from '../engine/plan';
import type { StepRunRecord, Store, Stored } from '../store';

/**
 * A step's plan with its intermediate inputs pointing at where their producers' outputs actually are: for a reused
 * producer, the original run's blobs (nothing is copied). Producers that ran in this run are where the plan says.
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
  // Where each producer's outputs are (a reused one's: the original run's blobs), and the files it recorded there
  // when they are few, so the worker downloads them without listing first (a round trip on the step's path).
  const completed = rows.filter((r): r is Stored<StepRunRecord> => r?.status === 'Completed');
  if (completed.length === 0) return s;
  const locations = Object.fromEntries(
    completed
      .flatMap((r) => r.outputs)
      .map((o) => [
        o.name,
        {
          container: o.container,
          path: o.path,
          ...(namesFit(o.files) && { files: o.files.map((f) => f.name) }),
        },
      ]),
  );
  return rebindInputs(s, locations);
}

/**
 * Whether a job names an intermediate input's files: up to 100 of them, 8,000 characters in all. More are listed by
 * the worker, so a job stays well within a queue message (jobPayload.ts would move a larger one to a blob).
 */
function namesFit(files: readonly { name: string }[]): boolean {
  if (files.length > 100) return false;
  let chars = 0;
  for (const f of files) chars += f.name.length;
  return chars <= 8_000;
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
