import * as df from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import { ORCHESTRATORS } from '../../orchestrators/contracts';
import { StepWorkMessage, stepWorkJob, workInstanceId } from '../../shared/engine/stepWork';
import { QUEUES } from '../../shared/store/names';
import { startOnce } from '../activities/durableOps';

/** Starts an attempt's `stepWork` orchestration once (the rules: shared/engine/stepWork.ts). */
df.app.client.storageQueue('stepWorkStarter', {
  queueName: QUEUES.stepWork,
  connection: 'SLUICE_STORAGE',
  handler: async (message: unknown, client: df.DurableClient, context: InvocationContext) => {
    const parsed = StepWorkMessage.safeParse(message);
    if (!parsed.success) {
      context.error(`Dropped a malformed step-work message: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      return;
    }
    const job = stepWorkJob(parsed.data);
    await startOnce(client, ORCHESTRATORS.stepWork, workInstanceId(job), job);
  },
});
