import { isTerminalStepStatus } from '../store/model';
import type { Store } from '../store';

/**
 * Marks every unfinished step row of a run `cancelRequested` (each on its row as it is then: a row that finished or
 * was marked meanwhile is left alone). A queued or not yet started step then never starts — the step-results
 * trigger launches no successor so marked, a worker does not start a job whose row asks it not to — and a running
 * one is stopped by its worker. Safe to repeat. Used by a cancel and by a run whose orchestration failed.
 */
export async function requestCancelOfUnfinishedSteps(store: Pick<Store, 'stepRuns'>, runId: string): Promise<void> {
  const steps = await store.stepRuns.list(runId);
  await Promise.all(
    steps
      .filter((s) => !isTerminalStepStatus(s.status) && !s.cancelRequested)
      .map((s) =>
        store.stepRuns.update(s.runId, s.step, (cur) =>
          isTerminalStepStatus(cur.status) || cur.cancelRequested ? undefined : { cancelRequested: true },
        ),
      ),
  );
}
