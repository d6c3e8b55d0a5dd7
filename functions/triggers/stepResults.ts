import * as df from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import { handleStepResult } from '../../shared/engine/results';
import { QUEUES } from '../../shared/store/names';
import { RUN_EVENT } from '../../orchestrators/contracts';
import { durableOps } from '../activities/durableOps';
import { getRuntime } from '../runtime';

/** Worker results and deadline sweeps on `step-results` (the rules: shared/engine/results.ts). */
df.app.client.storageQueue('stepResults', {
  queueName: QUEUES.stepResults,
  connection: 'SLUICE_STORAGE',
  handler: async (message: unknown, client: df.DurableClient, context: InvocationContext) => {
    const rt = getRuntime();
    await handleStepResult(
      {
        store: rt.store,
        loadRun: rt.loadRun,
        enqueue: rt.enqueue,
        tell: (instanceId, event) => durableOps(client).raiseEvent(instanceId, RUN_EVENT, event),
        now: () => new Date(),
        log: (m) => context.log(m),
        error: (m) => context.error(m),
        launchSuccessors: true,
        settleDeadline: rt.enqueue.settleDeadline,
      },
      message,
    );
  },
});
