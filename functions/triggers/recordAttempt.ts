import type { ResultMessage } from '../../shared/compute/messages';
import { isTerminalStepStatus, type Store } from '../../shared/store';

/**
 * Stores what a worker reported for one attempt of a step: outputs with their fingerprints, metrics, tags, exit code
 * and times. Only the current attempt of an open step run is written (a late or duplicate result changes nothing);
 * the step's final status is set by its orchestration, which knows whether another attempt follows.
 * Returns false when the result was stale.
 */
export async function recordAttempt(store: Store, result: ResultMessage): Promise<boolean> {
  let current = false;
  await store.stepRuns.update(result.runId, result.step, (s) => {
    current = s.attempt === result.attempt && !isTerminalStepStatus(s.status);
    if (!current) return undefined;
    return {
      startedAt: s.startedAt ?? result.startedAt,
      endedAt: result.endedAt,
      exitCode: result.exitCode ?? null,
      outputs: result.outputs,
      metrics: result.metrics,
      tags: { ...s.tags, ...result.tags },
      workerId: result.workerId,
    };
  });
  if (!current) return false;
  const scalars = result.metrics.filter((m) => m.kind === 'scalar');
  if (scalars.length > 0 || Object.keys(result.tags).length > 0) {
    await store.runs.update(result.runId, (r) => ({
      metrics: { ...r.metrics, ...Object.fromEntries(scalars.map((m) => [m.name, m.value])) },
    }));
  }
  return true;
}
