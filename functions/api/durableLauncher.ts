import type { DurableClient } from 'durable-functions';
import { ORCHESTRATORS, RUN_EVENT, type PipelineRunInput, type RunEvent } from '../../orchestrators/contracts';
import type { RunLauncher } from '../../shared/api';

/** True when the durable instance exists (in any status); the client answers an unknown id with HTTP 404. */
async function instanceExists(client: DurableClient, instanceId: string): Promise<boolean> {
  try {
    await client.getStatus(instanceId);
    return true;
  } catch (err) {
    if (/\b404\b/.test(String((err as Error)?.message))) return false;
    throw err;
  }
}

/**
 * Starts and cancels runs through the durable client: the run's orchestration has the run id as its instance id,
 * and a cancel request reaches it as its `run-event`.
 */
export function durableLauncher(client: DurableClient): RunLauncher {
  const start = async (runId: string) => {
    const input: PipelineRunInput = { runId };
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
      // Checking first matters: the durable client would start an ended instance's id again.
      if (await instanceExists(client, runId)) return false;
      try {
        await start(runId);
        return true;
      } catch (err) {
        if (await instanceExists(client, runId)) return false;
        throw err;
      }
    },
    async cancel(runId, reason) {
      const event: RunEvent = { type: 'cancel', reason };
      await client.raiseEvent(runId, RUN_EVENT, event);
    },
  };
}
