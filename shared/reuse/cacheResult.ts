import { readReuseRecord } from './record';
import type { StepRunRecord, Store } from '../store';

/**
 * Makes a step run's result reusable (docs/design.md#reuse): called when the step run is recorded Completed by running (a
 * reused step adds nothing: its result is already in the cache). The entry names this run and the outputs the worker
 * recorded with their fingerprints; it is written only when every declared output was recorded, so a hit can never
 * leave a consumer without its data. Safe to repeat (an upsert of the same entry).
 */
export async function recordReusableResult(
  store: Store,
  pipeline: string,
  row: StepRunRecord,
  now: () => Date,
  /** The run goes on: the latest-run mark may wait for its pipeline's others (ReuseCacheRepository.put). */
  options: { latestMayWait?: boolean } = {},
): Promise<boolean> {
  const record = readReuseRecord(row.reuseReasons);
  if (row.status !== 'Completed' || row.reused || !record?.key || !record.components) return false;
  const declared = record.components.outputs;
  if (!declared.every((name) => row.outputs.some((o) => o.name === name))) return false;
  await store.reuseCache.put(
    {
      key: record.key,
      pipeline,
      runId: row.runId,
      step: row.step,
      outputs: row.outputs.filter((o) => declared.includes(o.name)),
      completedAt: row.endedAt ?? now().toISOString(),
      components: record.components,
    },
    options,
  );
  return true;
}
