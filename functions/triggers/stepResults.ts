import * as df from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import { ResultMessage, stepResultEvent } from '../../shared/compute/messages';
import { QUEUES } from '../../shared/store/names';
import type { AttemptOutcome } from '../../orchestrators/contracts';
import { durableOps } from '../activities/durableOps';
import { getRuntime } from '../runtime';
import { recordAttempt } from './recordAttempt';

/**
 * Turns each worker result on `step-results` into the event its step's orchestration waits for, after recording
 * the attempt's outputs and metrics. A malformed message is logged and dropped (retrying cannot fix it).
 */
df.app.client.storageQueue('stepResults', {
  queueName: QUEUES.stepResults,
  connection: 'SLUICE_STORAGE',
  handler: async (message: unknown, client: df.DurableClient, context: InvocationContext) => {
    const parsed = ResultMessage.safeParse(message);
    if (!parsed.success) {
      context.error(`Dropped a malformed step result: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      return;
    }
    const result = parsed.data;
    const current = await recordAttempt(getRuntime().store, result);
    if (!current) {
      context.log(`Ignored a stale result for ${result.stepRunId} attempt ${result.attempt}.`);
      return;
    }
    const outcome: AttemptOutcome = { status: result.status, message: result.error?.message };
    await durableOps(client).raiseEvent(result.instanceId, stepResultEvent(result.stepRunId, result.attempt), outcome);
  },
});
