import type { InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { ORCHESTRATORS, type PipelineRunInput } from '../../orchestrators/contracts';
import { config } from '../../shared/config';
import type { OnceLauncher, ScheduleDeps } from '../../shared/schedules';
import { getRuntime } from '../runtime';

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
 * Starts `pipelineRun` for a scheduled run unless its instance exists. Checking first matters: starting an id whose
 * instance has ended would run it again (the durable client only refuses ids that are still running), and a
 * schedule's retry must never do that. A start that loses a race to a concurrent one is fine.
 */
export function onceLauncher(client: DurableClient): OnceLauncher {
  return {
    async startOnce(runId) {
      if (await instanceExists(client, runId)) return;
      const input: PipelineRunInput = { runId };
      try {
        await client.startNew(ORCHESTRATORS.pipelineRun, { instanceId: runId, input });
      } catch (err) {
        if (await instanceExists(client, runId)) return;
        throw err;
      }
    },
  };
}

/** The schedule service's dependencies for one trigger invocation. */
export function scheduleDeps(client: DurableClient, context: InvocationContext): ScheduleDeps {
  return {
    store: getRuntime().store,
    launcher: onceLauncher(client),
    defaultCompute: config().defaultCompute,
    now: () => new Date(),
    log: {
      info: (m) => context.log(m),
      warn: (m) => context.warn(m),
      error: (m, err) => context.error(err instanceof Error ? `${m}\n${err.stack ?? err.message}` : m),
    },
  };
}
