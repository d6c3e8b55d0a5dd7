import type { Store } from '../../store';
import { clientForTarget } from './work';

/**
 * The kind's `cancel` hook: a cancel reached a running `databricks` attempt, so ask Databricks to cancel the run its
 * `submit` activity recorded on the step row (`external`). Best effort: the attempt's orchestration also sees the
 * cancel flag at its next poll and cancels the run then (runs/cancel may be repeated), so a failure here is only
 * logged and never fails the run's cancel.
 */
let lazyStore: Store | undefined;
async function defaultStore(): Promise<Store> {
  if (!lazyStore) {
    const [{ config }, { createAzureStore }, { createStorageClients }] = await Promise.all([
      import('../../config.js'),
      import('../../store/index.js'),
      import('../../store/clients.js'),
    ]);
    lazyStore = createAzureStore(createStorageClients(config().storage));
  }
  return lazyStore;
}

export async function cancelDatabricksAttempt(
  ctx: { runId: string; step: string; attempt: number },
  given?: Store,
): Promise<boolean> {
  try {
    const store = given ?? (await defaultStore());
    const row = await store.stepRuns.get(ctx.runId, ctx.step);
    const external = row?.external;
    if (!row || !external || external.service !== 'databricks' || external.attempt !== ctx.attempt) return false;
    const runId = Number(external.runId);
    if (!Number.isSafeInteger(runId)) return false;
    const record = row.compute ? await store.computeTargets.get(row.compute) : undefined;
    if (!record?.databricks) return false;
    await clientForTarget(record.databricks).cancelRun(runId);
    return true;
  } catch (err) {
    console.warn(`databricks: could not cancel the run of ${ctx.runId}/${ctx.step}: ${(err as Error).message}`);
    return false;
  }
}
