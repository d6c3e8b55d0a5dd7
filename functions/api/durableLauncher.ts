import type { DurableClient } from 'durable-functions';
import { ORCHESTRATORS, RUN_EVENT, type PipelineRunInput, type RunEvent } from '../../orchestrators/contracts';
import type { RunLauncher } from '../../shared/api';

/**
 * Starts and cancels runs through the durable client: the run's orchestration has the run id as its instance id,
 * and a cancel request reaches it as its `run-event`.
 */
export function durableLauncher(client: DurableClient): RunLauncher {
  return {
    async start(runId) {
      const input: PipelineRunInput = { runId };
      await client.startNew(ORCHESTRATORS.pipelineRun, { instanceId: runId, input });
    },
    async cancel(runId, reason) {
      const event: RunEvent = { type: 'cancel', reason };
      await client.raiseEvent(runId, RUN_EVENT, event);
    },
  };
}
