import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { handleStepResult } from '../../shared/engine/results';
import { QUEUES } from '../../shared/store/names';
import { RUN_EVENT } from '../../orchestrators/contracts';
import { durableOps } from '../activities/durableOps';
import { getRuntime } from '../runtime';

/**
 * Worker results and deadline sweeps on `step-results` (the rules: shared/engine/results.ts). The Durable client is
 * bound as `df.app.client.storageQueue` binds it, but made only when the run is told: a chain step's result tells
 * nobody (its successor's does), and making the client parses the binding's webhook URLs on every invocation.
 */
app.storageQueue('stepResults', {
  queueName: QUEUES.stepResults,
  connection: 'SLUICE_STORAGE',
  extraInputs: [df.input.durableClient()],
  handler: async (message: unknown, context: InvocationContext) => {
    const rt = getRuntime();
    let client: df.DurableClient | undefined;
    await handleStepResult(
      {
        store: rt.store,
        loadRun: rt.loadRun,
        enqueue: rt.enqueue,
        tell: (instanceId, event) =>
          durableOps((client ??= df.getClient(context))).raiseEvent(instanceId, RUN_EVENT, event),
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
