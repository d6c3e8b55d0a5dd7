import type { DurableClient } from 'durable-functions';
import { ORCHESTRATORS, RUN_EVENT, type PipelineRunInput, type RunEvent } from '../../orchestrators/contracts';
import type { RunLauncher } from '../../shared/api';
import { instanceExists, startOnce } from '../activities/durableOps';

/**
 * Starts and cancels runs through the durable client: the run's orchestration has the run id as its instance id,
 * and a cancel request reaches it as its `run-event`.
 */
export function durableLauncher(client: DurableClient): RunLauncher {
  const start = async (runId: string) => {
    const input: PipelineRunInput = { runId, version: 2 };
    try {
      await client.startNew(ORCHESTRATORS.pipelineRun, { instanceId: runId, input });
    } catch (err) {
      // A concurrent replay of the same request (same Idempotency-Key) started it first: the run is started.
      if (await instanceExists(client, runId)) return;
      throw err;
    }
  };
  return {
    start,
    async startOnce(runId) {
      const input: PipelineRunInput = { runId, version: 2 };
      return startOnce(client, ORCHESTRATORS.pipelineRun, runId, input);
    },
    async cancel(runId, reason) {
      const event: RunEvent = { type: 'cancel', reason };
      await client.raiseEvent(runId, RUN_EVENT, event);
    },
  };
}
